#include "replay/recording_file.h"

#include "switchboard/replay/v1/recording.pb.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

namespace sb::replay {

namespace {
namespace rpb = switchboard::replay::v1;
constexpr char kMagic[] = "SBREPLAY";
constexpr std::size_t kMagicSize = 8;

void appendFramed(std::string *out, const std::string &message)
{
    const auto n = quint32(message.size());
    const unsigned char len[4] = {static_cast<unsigned char>(n), static_cast<unsigned char>(n >> 8),
                                  static_cast<unsigned char>(n >> 16),
                                  static_cast<unsigned char>(n >> 24)};
    out->append(reinterpret_cast<const char *>(len), 4);
    out->append(message);
}

enum class Frame
{
    Ok,
    End,
    Truncated,
    TooLarge
};

Frame nextFrame(const std::string &bytes, std::size_t *pos, std::string_view *frame)
{
    if (*pos == bytes.size())
        return Frame::End;
    if (bytes.size() - *pos < 4)
        return Frame::Truncated;
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data() + *pos);
    const quint32 n =
        quint32(p[0]) | quint32(p[1]) << 8 | quint32(p[2]) << 16 | quint32(p[3]) << 24;
    if (n > kMaxMessageBytes)
        return Frame::TooLarge;
    if (bytes.size() - *pos - 4 < n)
        return Frame::Truncated;
    *frame = std::string_view(bytes.data() + *pos + 4, n);
    *pos += 4 + std::size_t(n);
    return Frame::Ok;
}
} // namespace

std::string encodeHeader(qint64 startedMs, const std::string &writer)
{
    rpb::RecordingHeader h;
    h.set_format_version(kFormatVersion);
    h.set_started_unix_ms(startedMs);
    h.set_writer(writer);
    std::string out(kMagic, kMagicSize);
    appendFramed(&out, h.SerializeAsString());
    return out;
}

std::string encodeMessage(const RecordedMessage &m, bool first)
{
    rpb::RecordedMessage pb;
    pb.set_arrival_micros(m.arrivalUs);
    pb.set_call(m.call);
    if (first) {
        pb.set_method(m.method);
        pb.set_request(m.request);
    }
    pb.set_response(m.response);
    std::string out;
    appendFramed(&out, pb.SerializeAsString());
    return out;
}

std::string encodeRecording(const Recording &r)
{
    std::string out = encodeHeader(r.startedMs, r.writer);
    std::unordered_map<quint64, bool> seen;
    for (const auto &m : r.messages)
        out += encodeMessage(m, seen.emplace(m.call, true).second);
    return out;
}

DecodeResult decodeRecording(const std::string &bytes)
{
    DecodeResult res;
    if (bytes.size() < kMagicSize || std::memcmp(bytes.data(), kMagic, kMagicSize) != 0) {
        res.error = "This is not a Switchboard recording (no SBREPLAY at its start).";
        return res;
    }
    std::size_t pos = kMagicSize;
    std::string_view frame;
    rpb::RecordingHeader header;
    if (nextFrame(bytes, &pos, &frame) != Frame::Ok ||
        !header.ParseFromArray(frame.data(), int(frame.size()))) {
        res.error = "The recording's header is damaged.";
        return res;
    }
    if (header.format_version() != kFormatVersion) {
        res.error = "The recording is format version " + std::to_string(header.format_version()) +
                    "; this console reads version " + std::to_string(kFormatVersion) + ".";
        return res;
    }
    Recording r;
    r.version = header.format_version();
    r.startedMs = header.started_unix_ms();
    r.writer = header.writer();
    struct Call
    {
        std::string method, request;
    };
    std::unordered_map<quint64, Call> calls;
    for (;;) {
        const Frame f = nextFrame(bytes, &pos, &frame);
        if (f == Frame::End)
            break;
        if (f == Frame::Truncated) {
            r.truncated = true; // killed mid-write: keep what is whole
            break;
        }
        rpb::RecordedMessage pb;
        if (f == Frame::TooLarge || !pb.ParseFromArray(frame.data(), int(frame.size()))) {
            res.error = "Message " + std::to_string(r.messages.size() + 1) +
                        " of the recording is damaged.";
            return res;
        }
        if (pb.arrival_micros() < 0 || pb.call() == 0) {
            res.error = "Message " + std::to_string(r.messages.size() + 1) +
                        " of the recording has no call or a negative time.";
            return res;
        }
        auto [it, fresh] = calls.try_emplace(pb.call());
        if (fresh) {
            if (pb.method().empty()) {
                res.error = "Call " + std::to_string(pb.call()) +
                            " of the recording does not say its method.";
                return res;
            }
            it->second = {pb.method(), pb.request()};
        }
        RecordedMessage m;
        m.arrivalUs = pb.arrival_micros();
        m.call = pb.call();
        m.method = it->second.method;
        m.request = it->second.request;
        m.response = pb.response();
        r.messages.push_back(std::move(m));
    }
    // Written by several gRPC threads: nearly sorted; make it exactly so.
    std::stable_sort(r.messages.begin(), r.messages.end(),
                     [](const auto &a, const auto &b) { return a.arrivalUs < b.arrivalUs; });
    res.recording = std::move(r);
    return res;
}

} // namespace sb::replay
