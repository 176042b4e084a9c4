// libFuzzer target: the incident bundle Import incident reads
// (core/event_bundle: JSON, format and version checks, every event's fields).
// A refused file says why in a sentence; what is accepted is well formed
// (ranges end after they begin, kinds known, ascending times) and encodes
// and decodes to itself.

#include "core/event_bundle.h"
#include "fuzz_require.h"

using sb::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const sb::BundleDecode d = sb::decodeBundle(bytes);
    if (!d.bundle) {
        require(!d.error.isEmpty() && d.error.endsWith(QLatin1Char('.')), "a refusal says why");
        return 0;
    }
    qint64 last = 0;
    for (const auto &e : d.bundle->events) {
        require(!e.id.isEmpty(), "every event has a key");
        require(e.endMs == 0 || e.endMs >= e.timeMs, "ranges end after they begin");
        require(e.kind < sb::EventKind::NB_KINDS, "kinds are known");
        require(e.timeMs >= last, "ascending");
        last = e.timeMs;
    }
    const sb::BundleDecode again = sb::decodeBundle(sb::encodeBundle(*d.bundle));
    require(again.bundle.has_value(), "what was accepted encodes to an acceptable file");
    require(again.bundle->events == d.bundle->events, "and back to the same events");
    (void)sb::importedEvents(*d.bundle, QStringLiteral("fuzz.json"));
    return 0;
}
