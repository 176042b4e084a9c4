#pragma once

// The recording file (--record, --replay): "SBREPLAY", then length-prefixed
// protobuf messages (proto/switchboard/replay/v1/recording.proto), a header
// then every response the console received, with its call, method, request
// and arrival time. Decoding never trusts the file: a bad magic, an unknown
// version, a length past the end or a message that does not parse is refused
// with a sentence; a truncated tail (the console was killed while recording)
// keeps what came before it. Protobuf types stay inside.

#include <QtGlobal>
#include <optional>
#include <string>
#include <vector>

namespace sb::replay {

inline constexpr quint32 kFormatVersion = 1;
// One message at most (a latency batch is far smaller).
inline constexpr quint32 kMaxMessageBytes = 64u << 20;

struct RecordedMessage
{
    qint64 arrivalUs = 0; // after the recording started
    quint64 call = 0;
    std::string method; // the call's, filled in on every message once decoded
    std::string request;
    std::string response;
    bool operator==(const RecordedMessage &) const = default;
};

struct Recording
{
    quint32 version = kFormatVersion;
    qint64 startedMs = 0;
    std::string writer;
    std::vector<RecordedMessage> messages; // by arrival time
    bool truncated = false;                // the tail was cut off; what came before is here
    qint64 lengthUs() const { return messages.empty() ? 0 : messages.back().arrivalUs; }
};

// The file's first bytes: magic and header.
std::string encodeHeader(qint64 startedMs, const std::string &writer);
// One message as it follows the header. `first` puts method and request in.
std::string encodeMessage(const RecordedMessage &m, bool first);
// A whole file (tests, the fuzzer's round trip).
std::string encodeRecording(const Recording &r);

struct DecodeResult
{
    std::optional<Recording> recording;
    std::string error; // why not, in a sentence, when recording is empty
};
DecodeResult decodeRecording(const std::string &bytes);

} // namespace sb::replay
