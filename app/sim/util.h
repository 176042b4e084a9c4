#pragma once

// Internal helpers of the sim shared by every service: deterministic random
// numbers, time conversions, bearer-token auth, field validation, and the
// request-id cache that makes writes idempotent.

#include "sim/sim_server.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>
#include <grpcpp/grpcpp.h>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sb::sim {

// xoshiro256** seeded through splitmix64: the same numbers on every platform,
// unlike std::*_distribution whose algorithms are implementation-defined.
class Rng
{
public:
    explicit Rng(uint64_t seed = 1);
    uint64_t next();
    double uniform();         // [0, 1)
    double uniformPositive(); // (0, 1]
    double normal();
    uint64_t below(uint64_t n); // [0, n), n > 0
    bool chance(double p) { return uniform() < p; }

private:
    uint64_t m_s[4];
    bool m_hasSpare = false;
    double m_spare = 0;
};

uint64_t fnv1a(std::string_view s, uint64_t h = 14695981039346656037ull);

int64_t nowMicros(); // system clock
void toTimestamp(int64_t micros, google::protobuf::Timestamp *ts);
int64_t fromTimestamp(const google::protobuf::Timestamp &ts);
int64_t fromDuration(const google::protobuf::Duration &d); // micros
void toDuration(int64_t micros, google::protobuf::Duration *d);
// Formats a duration in the shortest human form, e.g. "90s", "250ms".
std::string formatMicros(int64_t micros);

const char *roleName(Role r);

struct Caller
{
    Role role = Role::Viewer;
    std::string subject;
};

using TokenMap = std::map<std::string, std::pair<Role, std::string>>;

// Checks the bearer token and the role needed. On failure returns the status to
// finish with; on success fills *caller.
grpc::Status authorize(const grpc::CallbackServerContext *ctx, const TokenMap &tokens, Role needed,
                       Caller *caller);

// Finishes a unary call with the default reactor.
grpc::ServerUnaryReactor *reply(grpc::CallbackServerContext *ctx, const grpc::Status &status);

// Page tokens: an opaque prefix and a position.
std::string makePageToken(const std::string &position);
bool parsePageToken(const std::string &token, std::string *position);
// 0 means `def`, larger than `cap` is capped.
uint32_t pageSize(uint32_t requested, uint32_t def = 100, uint32_t cap = 1000);

grpc::Status invalid(const std::string &fieldAndMessage);
grpc::Status notFound(const std::string &message);
grpc::Status failedPrecondition(const std::string &message);

// URL-safe object names: lowercase letters, digits, '-', '_', '.'; 1..max chars.
bool validObjectName(std::string_view s, size_t max = 128);
// Label names: lowercase letters, digits, '-'; 1..64 chars.
bool validLabelName(std::string_view s);
// Variable names: letters, digits, '_'.
bool validVariableName(std::string_view s);
// Short ids such as variant ids: lowercase letters, digits, '-', '_'; 1..32.
bool validShortId(std::string_view s);

std::string quoted(std::string_view s);

// Remembers successful writes by request id. A retry with the same id and the
// same request gets the stored response; the same id with another request is
// ALREADY_EXISTS. Failed writes are not remembered, so a retry after a
// transient failure is applied. Keeps at least the last 10,000 ids and every
// id younger than ten minutes (up to a hard cap, so memory stays bounded).
// Not thread-safe: used under the state mutex.
class IdempotencyCache
{
public:
    // The status a write finishes with without being applied again: OK for a
    // retry (the stored response is copied into *response), ALREADY_EXISTS for
    // the id reused with another request. Nothing for a new id: apply it.
    std::optional<grpc::Status> replay(const std::string &requestId, const std::string &method,
                                       const google::protobuf::Message &request,
                                       google::protobuf::Message *response) const;
    void store(const std::string &requestId, const std::string &method,
               const google::protobuf::Message &request, const google::protobuf::Message &response,
               int64_t nowUs);

private:
    struct Entry
    {
        std::string method;
        std::string request;
        std::string response;
        int64_t time = 0;
    };
    static std::string fingerprint(const google::protobuf::Message &m);
    std::unordered_map<std::string, Entry> m_entries;
    std::deque<std::string> m_order;
};

} // namespace sb::sim
