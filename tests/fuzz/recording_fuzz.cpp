// libFuzzer target: the recording file --replay reads (replay/recording_file:
// magic, version, length prefixes, every message's fields). A refused file
// says why in a sentence; what is accepted is well formed (every message has
// a call, a method and a time, in ascending order) and encodes and decodes
// to itself.

#include "fuzz_require.h"
#include "replay/recording_file.h"

using sb::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string bytes(reinterpret_cast<const char *>(data), size);
    const sb::replay::DecodeResult d = sb::replay::decodeRecording(bytes);
    if (!d.recording) {
        require(!d.error.empty() && d.error.back() == '.', "a refusal says why");
        return 0;
    }
    qint64 last = 0;
    for (const auto &m : d.recording->messages) {
        require(m.call != 0 && !m.method.empty(), "every message names its call and method");
        require(m.arrivalUs >= last, "ascending times");
        last = m.arrivalUs;
    }
    const auto again = sb::replay::decodeRecording(sb::replay::encodeRecording(*d.recording));
    require(again.recording.has_value(), "what was accepted encodes to an acceptable file");
    require(again.recording->messages == d.recording->messages, "and back to the same messages");
    require(!again.recording->truncated, "a re-encoded file is whole");
    return 0;
}
