#include "sim/sim_server.h"

#include "sim/mutations.h"
#include "sim/state.h"

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <fstream>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <sstream>
#include <thread>

namespace sb::sim {

bool loadTokensFile(const std::string &path,
                    std::map<std::string, std::pair<Role, std::string>> *out, std::string *error)
{
    std::ifstream in(path);
    if (!in) {
        if (error)
            *error = "cannot open tokens file " + path;
        return false;
    }
    std::map<std::string, std::pair<Role, std::string>> tokens;
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (auto hash = line.find('#'); hash != std::string::npos)
            line.resize(hash);
        std::istringstream fields(line);
        std::string token, role, subject, extra;
        if (!(fields >> token))
            continue;
        auto fail = [&](const std::string &msg) {
            if (error)
                *error = path + ":" + std::to_string(lineNo) + ": " + msg;
            return false;
        };
        if (!(fields >> role))
            return fail("expected \"<token> <viewer|operator|admin> [subject]\"");
        fields >> subject;
        if (fields >> extra)
            return fail("unexpected text after the subject");
        Role r;
        if (role == "viewer")
            r = Role::Viewer;
        else if (role == "operator")
            r = Role::Operator;
        else if (role == "admin")
            r = Role::Admin;
        else
            return fail("unknown role '" + role + "' (viewer, operator or admin)");
        if (tokens.count(token))
            return fail("duplicate token");
        tokens[token] = {r, subject.empty() ? role : subject};
    }
    if (tokens.empty()) {
        if (error)
            *error = path + ": no tokens (an empty file would leave the service open)";
        return false;
    }
    *out = std::move(tokens);
    return true;
}

struct SimServer::Impl
{
    SimOptions options;
    std::unique_ptr<SimState> state;
    std::vector<std::unique_ptr<grpc::Service>> services;
    std::unique_ptr<grpc::Server> server;
    int port = 0;
    std::string host = "127.0.0.1";
    std::thread traffic;
    std::thread clock;
    std::mutex stopMutex;
    std::condition_variable stopCv;
    bool stopping = false;
    bool started = false;
    bool stopped = false;

    // Waits up to `us`; returns false when asked to stop.
    bool sleepFor(int64_t us)
    {
        std::unique_lock lock(stopMutex);
        return !stopCv.wait_for(lock, std::chrono::microseconds(us), [this] { return stopping; });
    }

    void trafficLoop()
    {
        // Batches every 20 ms. Sample counts carry their fractions over, so a
        // rate of 3/s still yields 3 samples a second.
        constexpr int64_t kTickUs = 20000;
        int64_t last = nowMicros();
        double carry = 0;
        if (options.warmSeconds > 0) {
            // The history it starts with, tick by tick up to now, at once.
            const int64_t start = last;
            last -= int64_t(std::min(options.warmSeconds, 30.0) * 1e6);
            for (int64_t t = last + kTickUs; t < start; t += kTickUs) {
                serve(last, t, carry);
                last = t;
            }
        }
        while (sleepFor(kTickUs)) {
            const int64_t now = nowMicros();
            if (now <= last)
                continue;
            if (now - last > 1000000)
                last = now - 1000000; // after a stall, do not flood
            serve(last, now, carry);
            last = now;
        }
    }

    // One tick: the traffic of (last, now], its batches appended and the
    // streams poked.
    void serve(int64_t last, int64_t now, double &carry)
    {
        carry += options.rate * double(now - last) / 1e6;
        const double whole = std::floor(carry);
        carry -= whole;
        // Batches stay well under gRPC's default 4 MB message limit (about
        // 20 bytes a sample), so a client in any language can read them,
        // even when a slow tick makes one interval hold many samples.
        constexpr size_t kMaxBatchSamples = 50000;
        const size_t total = size_t(whole);
        const size_t parts = std::max<size_t>(1, (total + kMaxBatchSamples - 1) / kMaxBatchSamples);
        for (size_t part = 0; part < parts; ++part) {
            const size_t from = total * part / parts;
            const size_t to = total * (part + 1) / parts;
            const int64_t t0 = last + (now - last) * int64_t(part) / int64_t(parts);
            const int64_t t1 = last + (now - last) * int64_t(part + 1) / int64_t(parts);
            std::shared_ptr<Batch> batch;
            {
                std::lock_guard lock(state->mutex);
                if (part == 0) {
                    state->applyDrills(now);
                    state->updateBreakers(now);
                }
                batch = generateBatch(*state, to - from, t0, t1);
            }
            if (batch->size())
                state->telemetry.append(std::move(batch));
        }
        state->telemetry.subscribers().pokeAll(now);
    }

    void clockLoop()
    {
        constexpr int64_t kTickUs = 5000;
        while (sleepFor(kTickUs)) {
            const int64_t now = nowMicros();
            {
                std::lock_guard lock(state->mutex);
                state->runReverts(now);
            }
            state->clockSubscribers.pokeAll(now);
        }
    }
};

SimServer::SimServer(SimOptions options) : m_impl(std::make_unique<Impl>())
{
    m_impl->options = std::move(options);
}

SimServer::~SimServer()
{
    shutdown();
}

bool SimServer::start(std::string *error)
{
    auto fail = [&](const std::string &msg) {
        if (error)
            *error = msg;
        return false;
    };
    Impl &d = *m_impl;
    if (d.started)
        return fail("already started");
    if (!std::isfinite(d.options.rate) || d.options.rate < 0 || d.options.rate > 1e8)
        return fail("rate: must be between 0 and 100000000 samples/s");
    if (!std::isfinite(d.options.timeScale) || d.options.timeScale <= 0)
        return fail("timeScale: must be above 0");
    const auto colon = d.options.listen.rfind(':');
    if (colon == std::string::npos || colon + 1 == d.options.listen.size())
        return fail("listen: expected host:port, got '" + d.options.listen + "'");
    std::string host = d.options.listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (!host.empty() && host != "0.0.0.0" && host != "::" && host != "localhost")
        d.host = host.find(':') != std::string::npos ? "[" + host + "]" : host;

    d.state = std::make_unique<SimState>(d.options);
    seedState(*d.state, nowMicros());
    d.services.push_back(makePromptService(*d.state));
    d.services.push_back(makeExperimentService(*d.state));
    d.services.push_back(makeTelemetryService(*d.state));
    d.services.push_back(makeRoutingService(*d.state));
    d.services.push_back(makeDrillService(*d.state));

    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    if (d.options.tlsCertPem.empty() != d.options.tlsKeyPem.empty())
        return fail("TLS needs both a certificate and its key");
    if (!d.options.clientCaPem.empty() && d.options.tlsCertPem.empty())
        return fail("a client CA (mTLS) needs TLS: give a certificate and key too");
    std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
    if (!d.options.tlsCertPem.empty()) {
        grpc::SslServerCredentialsOptions ssl(
            d.options.clientCaPem.empty()
                ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
        ssl.pem_root_certs = d.options.clientCaPem;
        ssl.pem_key_cert_pairs.push_back({d.options.tlsKeyPem, d.options.tlsCertPem});
        credentials = grpc::SslServerCredentials(ssl);
    }
    grpc::ServerBuilder builder;
    builder.AddListeningPort(d.options.listen, credentials, &d.port);
    for (auto &s : d.services)
        builder.RegisterService(s.get());
    d.server = builder.BuildAndStart();
    if (!d.server || d.port == 0) {
        if (d.server) {
            d.server->Shutdown();
            d.server->Wait();
            d.server.reset();
        }
        d.services.clear();
        d.state.reset();
        return fail("cannot listen on " + d.options.listen +
                    " (address in use, or not a local address?)");
    }
    if (auto *health = d.server->GetHealthCheckService())
        health->SetServingStatus(!mutated(Mutation::HealthNotServing));
    d.started = true;
    d.traffic = std::thread([&d] { d.trafficLoop(); });
    d.clock = std::thread([&d] { d.clockLoop(); });
    return true;
}

int SimServer::port() const
{
    return m_impl->port;
}

std::string SimServer::address() const
{
    return m_impl->host + ":" + std::to_string(m_impl->port);
}

void SimServer::shutdown()
{
    Impl &d = *m_impl;
    if (!d.started || d.stopped)
        return;
    d.stopped = true;
    {
        std::lock_guard lock(d.stopMutex);
        d.stopping = true;
    }
    d.stopCv.notify_all();
    d.traffic.join();
    d.clock.join();
    if (auto *health = d.server->GetHealthCheckService())
        health->SetServingStatus(false);
    // Finish our streams ourselves so Shutdown need not wait for its deadline.
    const grpc::Status bye(grpc::StatusCode::UNAVAILABLE, "server is shutting down");
    d.state->promptEvents.closeAll(bye);
    d.state->routingEvents.closeAll(bye);
    d.state->clockSubscribers.closeAll(bye);
    d.state->telemetry.subscribers().closeAll(bye);
    d.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    d.server->Wait();
    d.server.reset();
}

} // namespace sb::sim
