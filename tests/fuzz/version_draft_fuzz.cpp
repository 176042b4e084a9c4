// libFuzzer target: VersionDraft::fromJson (ui/prompts/version_draft.h), which
// reads the drafts kept in the settings file (a file anyone can edit, or a
// half-written one after a crash). Input: the JSON. Nothing may crash, leak or
// hit undefined behaviour (a version number of 1e300 or -1 included); a draft
// that parses writes and parses back to itself.

#include "fuzz_require.h"
#include "ui/prompts/version_draft.h"

using sb::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray json =
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    for (bool requireName : {true, false}) {
        const std::optional<sb::VersionDraft> d = sb::VersionDraft::fromJson(json, requireName);
        if (!d)
            continue;
        require(!requireName || !d->prompt.isEmpty(), "a named draft has its name");
        const std::optional<sb::VersionDraft> back =
            sb::VersionDraft::fromJson(d->toJson(), requireName);
        require(back.has_value() && *back == *d, "a draft round-trips through its JSON");
        (void)d->toVersion();
    }
    return 0;
}
