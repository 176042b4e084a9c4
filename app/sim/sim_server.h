#pragma once

// switchboard-sim: the reference implementation of the switchboard.v1 contract
// over a simulated, seeded model fleet. SimServer owns an in-memory state
// (prompts, experiments, routing table, audit log, drills), a traffic generator
// thread that produces latency samples at `rate` samples/s while honouring the
// routing table, circuit breakers, drills and running experiments, and a clock
// thread that drives timed work (auto-reverts, drill ends, comparisons, result
// watches). Everything is served over grpc++'s callback API, with standard
// health checking and server reflection. Given the same seed, the seeded objects
// and the sequence of generated sample values are the same (wall-clock driven
// effects such as circuit breaker timing aside). It is used as the embedded
// `--sim` of the console, as the peer of integration tests and as a drill ground.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace sb::sim {

enum class Role
{
    Viewer,
    Operator,
    Admin
};

struct SimOptions
{
    std::string listen = "127.0.0.1:0"; // host:port; port 0 picks a free port
    uint64_t seed = 1;                  // deterministic fleet, data and traffic
    double rate = 2000;                 // latency samples per second, all routes together
    // Bearer token -> (role, subject). Empty = open mode (every caller admin,
    // actor "anonymous").
    std::map<std::string, std::pair<Role, std::string>> tokens;
    double timeScale = 1.0; // <1 speeds up simulated token streaming (tests use ~0.05)
    // Traffic the fleet had already served when the sim starts: this many
    // seconds of batches, back-dated before the start, so a client that
    // subscribes at once (with StreamLatencyRequest.backfill_seconds) sees
    // complete seconds right away, as with a service that has been running.
    // The console's in-process sim uses 3; 0 starts with no history.
    double warmSeconds = 0;
    // TLS: PEM contents, not paths. A certificate and key turn TLS on; a client
    // CA then also requires every caller to present a certificate it signed (mTLS).
    std::string tlsCertPem;
    std::string tlsKeyPem;
    std::string clientCaPem;
};

// Lines: "<token> <viewer|operator|admin> [subject]"; '#' starts a comment.
// The subject defaults to the role name.
bool loadTokensFile(const std::string &path,
                    std::map<std::string, std::pair<Role, std::string>> *out, std::string *error);

class SimServer
{
public:
    explicit SimServer(SimOptions options);
    ~SimServer(); // shuts down cleanly

    SimServer(const SimServer &) = delete;
    SimServer &operator=(const SimServer &) = delete;

    // Binds, starts serving and traffic generation; returns false with a
    // message on failure.
    bool start(std::string *error);
    int port() const;            // the bound port
    std::string address() const; // "127.0.0.1:<port>"
    void shutdown();             // idempotent; cancels streams, joins threads

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace sb::sim
