#include "sim/util.h"

#include "sim/mutations.h"

#include <algorithm>
#include <cctype>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <limits>

namespace sb::sim {

namespace {

uint64_t splitmix(uint64_t &x)
{
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

} // namespace

Rng::Rng(uint64_t seed)
{
    uint64_t x = seed;
    for (auto &s : m_s)
        s = splitmix(x);
}

uint64_t Rng::next()
{
    const uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    const uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
    return result;
}

double Rng::uniform()
{
    return double(next() >> 11) * 0x1.0p-53;
}

double Rng::uniformPositive()
{
    return double((next() >> 11) + 1) * 0x1.0p-53;
}

double Rng::normal()
{
    if (m_hasSpare) {
        m_hasSpare = false;
        return m_spare;
    }
    const double u1 = uniformPositive();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    m_spare = r * std::sin(2 * M_PI * u2);
    m_hasSpare = true;
    return r * std::cos(2 * M_PI * u2);
}

uint64_t Rng::below(uint64_t n)
{
    return n ? next() % n : 0;
}

uint64_t fnv1a(std::string_view s, uint64_t h)
{
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

int64_t nowMicros()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void toTimestamp(int64_t micros, google::protobuf::Timestamp *ts)
{
    int64_t secs = micros / 1000000;
    int64_t rem = micros % 1000000;
    if (rem < 0) {
        rem += 1000000;
        --secs;
    }
    ts->set_seconds(secs);
    ts->set_nanos(int32_t(rem * 1000));
}

namespace {

// A caller may send any seconds: saturate to what microseconds can hold
// instead of overflowing (a revert_after near 2^63 s could wrap into the
// accepted 1 s .. 7 days range).
int64_t secondsToMicros(int64_t seconds, int32_t nanos)
{
    constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1000000 - 1;
    return std::clamp(seconds, -kMaxSeconds, kMaxSeconds) * 1000000 + nanos / 1000;
}

} // namespace

int64_t fromTimestamp(const google::protobuf::Timestamp &ts)
{
    return secondsToMicros(ts.seconds(), ts.nanos());
}

int64_t fromDuration(const google::protobuf::Duration &d)
{
    return secondsToMicros(d.seconds(), d.nanos());
}

void toDuration(int64_t micros, google::protobuf::Duration *d)
{
    d->set_seconds(micros / 1000000);
    d->set_nanos(int32_t((micros % 1000000) * 1000));
}

std::string formatMicros(int64_t micros)
{
    if (micros % 1000000 == 0)
        return std::to_string(micros / 1000000) + "s";
    if (micros % 1000 == 0)
        return std::to_string(micros / 1000) + "ms";
    return std::to_string(micros) + "us";
}

const char *roleName(Role r)
{
    switch (r) {
    case Role::Viewer:
        return "viewer";
    case Role::Operator:
        return "operator";
    case Role::Admin:
        return "admin";
    }
    return "viewer";
}

grpc::Status authorize(const grpc::CallbackServerContext *ctx, const TokenMap &tokens, Role needed,
                       Caller *caller)
{
    if (tokens.empty()) {
        caller->role = Role::Admin;
        caller->subject = "anonymous";
        return grpc::Status::OK;
    }
    // The scheme is case-insensitive (RFC 7235), followed by exactly one
    // space; the token is the rest, byte for byte. More than one
    // `authorization` value is refused rather than guessed between.
    const auto &md = ctx->client_metadata();
    auto it = md.find("authorization");
    if (it == md.end() && mutated(Mutation::AcceptNoToken)) {
        caller->role = Role::Admin;
        caller->subject = "anonymous";
        return grpc::Status::OK;
    }
    if (mutated(Mutation::ReadsNeedOperator) && needed == Role::Viewer)
        needed = Role::Operator;
    if (it == md.end())
        return {grpc::StatusCode::UNAUTHENTICATED,
                "missing `authorization: Bearer <token>` metadata"};
    if (md.count("authorization") > 1)
        return {grpc::StatusCode::UNAUTHENTICATED, "more than one authorization metadata value"};
    const std::string value(it->second.data(), it->second.size());
    constexpr size_t kPrefixSize = 7; // "Bearer "
    std::string scheme = value.substr(0, kPrefixSize);
    if (!mutated(Mutation::StrictBearer)) {
        for (char &c : scheme)
            c = char(std::tolower(static_cast<unsigned char>(c)));
    }
    const bool schemeOk = value.size() > kPrefixSize &&
                          scheme == (mutated(Mutation::StrictBearer) ? "Bearer " : "bearer ");
    if (!schemeOk)
        return {grpc::StatusCode::UNAUTHENTICATED,
                "malformed authorization metadata; expected `Bearer <token>`"};
    auto tok = tokens.find(value.substr(kPrefixSize));
    if (tok == tokens.end())
        return {grpc::StatusCode::UNAUTHENTICATED, "unknown bearer token"};
    caller->role = tok->second.first;
    caller->subject = tok->second.second;
    if (int(caller->role) < int(needed) && !mutated(Mutation::IgnoreRoles))
        return {grpc::StatusCode::PERMISSION_DENIED,
                std::string("this call needs role ") + roleName(needed) + "; the token has role " +
                    roleName(caller->role)};
    return grpc::Status::OK;
}

grpc::ServerUnaryReactor *reply(grpc::CallbackServerContext *ctx, const grpc::Status &status)
{
    auto *r = ctx->DefaultReactor();
    r->Finish(status);
    return r;
}

std::string makePageToken(const std::string &position)
{
    return "pt1." + position;
}

bool parsePageToken(const std::string &token, std::string *position)
{
    if (token.size() < 5 || token.compare(0, 4, "pt1.") != 0)
        return false;
    *position = token.substr(4);
    return true;
}

uint32_t pageSize(uint32_t requested, uint32_t def, uint32_t cap)
{
    if (requested == 0)
        return mutated(Mutation::NoPageCap) ? cap : def;
    return std::min(requested, cap);
}

grpc::Status invalid(const std::string &fieldAndMessage)
{
    if (mutated(Mutation::BareMessages)) {
        const size_t colon = fieldAndMessage.find(": ");
        if (colon != std::string::npos)
            return {grpc::StatusCode::INVALID_ARGUMENT, fieldAndMessage.substr(colon + 2)};
    }
    return {grpc::StatusCode::INVALID_ARGUMENT, fieldAndMessage};
}

grpc::Status notFound(const std::string &message)
{
    if (mutated(Mutation::NotFoundAsInvalid))
        return {grpc::StatusCode::INVALID_ARGUMENT, message};
    return {grpc::StatusCode::NOT_FOUND, message};
}

grpc::Status failedPrecondition(const std::string &message)
{
    return {grpc::StatusCode::FAILED_PRECONDITION, message};
}

bool validObjectName(std::string_view s, size_t max)
{
    if (s.empty() || s.size() > max)
        return false;
    for (char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

bool validLabelName(std::string_view s)
{
    if (s.empty() || s.size() > 64)
        return false;
    for (char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

bool validVariableName(std::string_view s)
{
    if (s.empty() || s.size() > 64)
        return false;
    for (char c : s) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
            return false;
    }
    return true;
}

bool validShortId(std::string_view s)
{
    if (s.empty() || s.size() > 32)
        return false;
    for (char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

std::string quoted(std::string_view s)
{
    // Bounded so a hostile 1 MB name does not end up in a status message.
    std::string out = "'";
    out += s.substr(0, 80);
    out += s.size() > 80 ? "...'" : "'";
    return out;
}

std::string IdempotencyCache::fingerprint(const google::protobuf::Message &m)
{
    std::string out;
    google::protobuf::io::StringOutputStream sos(&out);
    google::protobuf::io::CodedOutputStream cos(&sos);
    cos.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&cos);
    cos.Trim();
    return out;
}

std::optional<grpc::Status> IdempotencyCache::replay(const std::string &requestId,
                                                     const std::string &method,
                                                     const google::protobuf::Message &request,
                                                     google::protobuf::Message *response) const
{
    auto it = m_entries.find(requestId);
    if (it == m_entries.end() || mutated(Mutation::ForgetRequestIds))
        return std::nullopt;
    if (it->second.method != method || it->second.request != fingerprint(request))
        return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                            "request_id: already used for a different request");
    response->ParseFromString(it->second.response);
    return grpc::Status::OK;
}

void IdempotencyCache::store(const std::string &requestId, const std::string &method,
                             const google::protobuf::Message &request,
                             const google::protobuf::Message &response, int64_t nowUs)
{
    constexpr size_t kKeep = 10000;
    constexpr size_t kHardCap = 200000;
    constexpr int64_t kMinAge = 10 * 60 * 1000000ll;
    if (m_entries.count(requestId))
        return;
    m_entries[requestId] = {method, fingerprint(request), response.SerializeAsString(), nowUs};
    m_order.push_back(requestId);
    while (m_order.size() > kKeep) {
        const auto &front = m_entries[m_order.front()];
        if (m_order.size() <= kHardCap && nowUs - front.time < kMinAge)
            break;
        m_entries.erase(m_order.front());
        m_order.pop_front();
    }
}

} // namespace sb::sim
