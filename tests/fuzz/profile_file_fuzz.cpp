// libFuzzer target: profile files (client/profile_file.h), which a user
// imports from wherever they got them. Input: the file. Nothing may crash,
// hang, leak or hit undefined behaviour; every profile read is usable
// (validate() is empty) and uniquely named; what was read writes and reads
// back to the same profiles with nothing refused; importing it twice adds
// nothing the second time.

#include "client/profile_file.h"
#include "fuzz_require.h"

#include <QSet>

using sb::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes =
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const sb::profile_file::ReadResult r = sb::profile_file::read(bytes);
    if (!r.error.isEmpty())
        require(r.profiles.empty() && r.refused.isEmpty(), "a refused file imports nothing");
    QSet<QString> names;
    for (const auto &p : r.profiles) {
        require(p.validate().isEmpty(), "every profile read is usable");
        require(!names.contains(p.name), "names are unique");
        names.insert(p.name);
        require(!p.builtIn, "a file never makes a built-in profile");
    }

    const sb::profile_file::ReadResult again =
        sb::profile_file::read(sb::profile_file::write(r.profiles));
    require(again.error.isEmpty() && again.refused.isEmpty(), "what was read writes readably");
    require(again.profiles == r.profiles, "export and import round-trip every field");

    const auto once = sb::profile_file::merge({}, r.profiles);
    const auto twice = sb::profile_file::merge(once.profiles, r.profiles);
    require(twice.added.isEmpty() && twice.profiles == once.profiles,
            "importing the same file twice adds nothing");
    return 0;
}
