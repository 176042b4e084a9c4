#include "replay/replay_server.h"

#include "core/clock.h"
#include "switchboard/v1/experiment_service.pb.h"
#include "switchboard/v1/prompt_service.pb.h"
#include "switchboard/v1/routing_service.pb.h"
#include "switchboard/v1/telemetry_service.pb.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace sb::replay {

namespace v1 = switchboard::v1;
namespace gpb = google::protobuf;

namespace {

std::string bytesOf(const grpc::ByteBuffer &b)
{
    std::vector<grpc::Slice> slices;
    std::string out;
    if (!b.Dump(&slices).ok())
        return out;
    for (const auto &s : slices)
        out.append(reinterpret_cast<const char *>(s.begin()), s.size());
    return out;
}

grpc::ByteBuffer bufferOf(const std::string &bytes)
{
    grpc::Slice s(bytes);
    return grpc::ByteBuffer(&s, 1);
}

// "/pkg.Service/Method" -> "Method"
std::string_view methodName(std::string_view full)
{
    const auto slash = full.rfind('/');
    return slash == std::string_view::npos ? full : full.substr(slash + 1);
}

bool isWrite(std::string_view method)
{
    for (std::string_view verb : {"Set", "Create", "Update", "Move", "Submit", "Start", "Stop"}) {
        if (methodName(method).rfind(verb, 0) == 0)
            return true;
    }
    return false;
}

constexpr std::string_view kLatencyMethod = "/switchboard.v1.TelemetryService/StreamLatency";

} // namespace

class StreamCall;

struct ReplayServer::Impl
{
    struct Call
    {
        std::string request;
        std::vector<std::size_t> messages; // indices into recording.messages
        qint64 firstUs = 0, lastUs = 0;
    };
    struct Batch // a latency message's place in its stream
    {
        std::string epoch;
        quint64 sequence = 0;
    };

    Recording recording;
    std::map<std::string, std::vector<Call>, std::less<>> calls; // per method, by start
    std::map<std::size_t, Batch> batches;
    std::unique_ptr<grpc::CallbackGenericService> service;
    std::unique_ptr<grpc::Server> server;
    int port = 0;
    std::atomic<quint64> sent{0};

    std::mutex streamsMutex;
    std::set<StreamCall *> streams;
    std::mutex stopMutex;
    std::condition_variable stopCv;
    bool stopping = false;
    bool started = false, stopped = false;
    std::thread pacer;

    explicit Impl(Recording r);
    const gpb::MethodDescriptor *descriptor(std::string_view method) const;
    grpc::Status unary(std::string_view method, const std::string &request,
                       std::string *response) const;
    std::vector<std::size_t> stream(std::string_view method, const std::string &request) const;
    // A latency stream resumed in the recorded epoch says so on its first
    // batch, as a live one does.
    bool resumes(std::string_view method, const std::string &request,
                 const std::vector<std::size_t> &queue) const;
    void pace();
};

// One server-streaming call: sends its messages as replay time reaches them,
// one write in flight, until the client cancels.
class StreamCall final : public grpc::ServerGenericBidiReactor
{
public:
    StreamCall(ReplayServer::Impl *impl, std::string method)
        : m_impl(impl), m_method(std::move(method))
    {
        StartRead(&m_in);
    }

    void OnReadDone(bool ok) override
    {
        if (!ok)
            return finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request"));
        const std::string request = bytesOf(m_in);
        const gpb::MethodDescriptor *md = m_impl->descriptor(m_method);
        if (!md)
            return finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                                       "replay: no such method in this contract"));
        if (!md->server_streaming()) {
            std::string response;
            const grpc::Status st = m_impl->unary(m_method, request, &response);
            if (!st.ok())
                return finish(st);
            m_out = bufferOf(response);
            std::lock_guard lock(m_mutex);
            m_finished = true;
            StartWriteAndFinish(&m_out, grpc::WriteOptions(), grpc::Status::OK);
            return;
        }
        m_queue = m_impl->stream(m_method, request);
        m_resumeFirst = m_impl->resumes(m_method, request, m_queue);
        {
            std::lock_guard lock(m_impl->streamsMutex);
            m_impl->streams.insert(this);
            m_registered = true;
        }
        poke();
    }

    // Writes the next message if it is due and nothing is in flight.
    void poke()
    {
        {
            std::lock_guard lock(m_mutex);
            if (m_writing || m_finished || m_cancelled || m_next >= m_queue.size())
                return;
            const auto &m = m_impl->recording.messages[m_queue[m_next]];
            if (m.arrivalUs > clock::replayElapsedUs())
                return;
            m_out = bufferOf(outgoing(m));
            ++m_next;
            m_writing = true;
        }
        StartWrite(&m_out);
    }

    void OnWriteDone(bool ok) override
    {
        {
            std::lock_guard lock(m_mutex);
            m_writing = false;
            if (ok)
                m_impl->sent.fetch_add(1, std::memory_order_relaxed);
            if (!ok || m_cancelled) {
                finishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
                return;
            }
        }
        poke();
    }

    void OnCancel() override
    {
        std::lock_guard lock(m_mutex);
        m_cancelled = true;
        if (!m_writing)
            finishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
    }

    void OnDone() override
    {
        if (m_registered) {
            std::lock_guard lock(m_impl->streamsMutex);
            m_impl->streams.erase(this);
        }
        delete this;
    }

private:
    std::string outgoing(const RecordedMessage &m)
    {
        if (!m_resumeFirst)
            return m.response;
        m_resumeFirst = false;
        v1::StreamLatencyResponse r;
        if (!r.ParseFromString(m.response))
            return m.response;
        r.set_resumed(true);
        return r.SerializeAsString();
    }

    void finish(const grpc::Status &st)
    {
        std::lock_guard lock(m_mutex);
        finishLocked(st);
    }
    void finishLocked(const grpc::Status &st)
    {
        if (m_finished)
            return;
        m_finished = true;
        Finish(st);
    }

    ReplayServer::Impl *m_impl;
    std::string m_method;
    grpc::ByteBuffer m_in, m_out;
    std::mutex m_mutex;
    std::vector<std::size_t> m_queue;
    std::size_t m_next = 0;
    bool m_writing = false, m_finished = false, m_cancelled = false;
    bool m_registered = false, m_resumeFirst = false;

    friend struct ReplayServer::Impl;
};

namespace {
class Service final : public grpc::CallbackGenericService
{
public:
    explicit Service(ReplayServer::Impl *impl) : m_impl(impl) {}
    grpc::ServerGenericBidiReactor *CreateReactor(grpc::GenericCallbackServerContext *ctx) override
    {
        return new StreamCall(m_impl, ctx->method());
    }

private:
    ReplayServer::Impl *m_impl;
};
} // namespace

ReplayServer::Impl::Impl(Recording r) : recording(std::move(r))
{
    // Build the contract's descriptors, so methods can be looked up by name.
    (void)v1::StreamLatencyResponse::descriptor();
    (void)v1::WatchRoutingResponse::descriptor();
    (void)v1::WatchPromptsResponse::descriptor();
    (void)v1::WatchResultsResponse::descriptor();
    std::map<quint64, std::pair<std::string, std::size_t>> byCall; // call -> method, slot
    for (std::size_t i = 0; i < recording.messages.size(); ++i) {
        const RecordedMessage &m = recording.messages[i];
        auto it = byCall.find(m.call);
        if (it == byCall.end()) {
            auto &list = calls[m.method];
            list.push_back(Call{m.request, {}, m.arrivalUs, m.arrivalUs});
            it = byCall.emplace(m.call, std::make_pair(m.method, list.size() - 1)).first;
        }
        Call &c = calls[it->second.first][it->second.second];
        c.messages.push_back(i);
        c.lastUs = m.arrivalUs;
        if (m.method == kLatencyMethod) {
            v1::StreamLatencyResponse b;
            if (b.ParseFromString(m.response))
                batches[i] = Batch{b.stream_epoch(), b.sequence()};
        }
    }
}

const gpb::MethodDescriptor *ReplayServer::Impl::descriptor(std::string_view method) const
{
    if (method.size() < 2 || method[0] != '/')
        return nullptr;
    std::string name(method.substr(1));
    std::replace(name.begin(), name.end(), '/', '.');
    return gpb::DescriptorPool::generated_pool()->FindMethodByName(name);
}

grpc::Status ReplayServer::Impl::unary(std::string_view method, const std::string &request,
                                       std::string *response) const
{
    if (isWrite(method))
        return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                            "a replay is read-only: changes are not sent anywhere");
    const auto it = calls.find(method);
    const qint64 now = clock::replayElapsedUs();
    const RecordedMessage *best = nullptr;
    if (it != calls.end()) {
        for (const Call &c : it->second) {
            if (c.request != request)
                continue;
            for (std::size_t i : c.messages) {
                const RecordedMessage &m = recording.messages[i];
                // The latest answer by now, else the first one there is.
                if (!best || (m.arrivalUs <= now && m.arrivalUs > best->arrivalUs))
                    best = &m;
            }
        }
    }
    if (!best)
        return grpc::Status(grpc::StatusCode::NOT_FOUND,
                            "replay: this call was not made while recording");
    *response = best->response;
    return grpc::Status::OK;
}

std::vector<std::size_t> ReplayServer::Impl::stream(std::string_view method,
                                                    const std::string &request) const
{
    std::vector<std::size_t> out;
    const auto it = calls.find(method);
    if (it == calls.end())
        return out;
    const bool latency = method == kLatencyMethod;
    // Calls one after another (reconnects), not side by side (two windows).
    qint64 end = -1;
    for (const Call &c : it->second) {
        if ((!latency && c.request != request) || c.firstUs < end)
            continue;
        out.insert(out.end(), c.messages.begin(), c.messages.end());
        end = c.lastUs;
    }
    if (!latency)
        return out;
    // Every batch once, after the resume point when there is one.
    v1::StreamLatencyRequest req;
    (void)req.ParseFromString(request);
    std::set<std::pair<std::string, quint64>> seen;
    std::erase_if(out, [&](std::size_t i) {
        const auto b = batches.find(i);
        if (b == batches.end())
            return true;
        if (req.resume_after_sequence() != 0 && b->second.epoch == req.stream_epoch() &&
            b->second.sequence <= req.resume_after_sequence())
            return true;
        return !seen.emplace(b->second.epoch, b->second.sequence).second;
    });
    return out;
}

bool ReplayServer::Impl::resumes(std::string_view method, const std::string &request,
                                 const std::vector<std::size_t> &queue) const
{
    if (method != kLatencyMethod || queue.empty())
        return false;
    v1::StreamLatencyRequest req;
    if (!req.ParseFromString(request) || req.resume_after_sequence() == 0)
        return false;
    const auto b = batches.find(queue.front());
    return b != batches.end() && b->second.epoch == req.stream_epoch();
}

void ReplayServer::Impl::pace()
{
    std::unique_lock stop(stopMutex);
    while (!stopCv.wait_for(stop, std::chrono::milliseconds(5), [&] { return stopping; })) {
        std::lock_guard lock(streamsMutex);
        for (StreamCall *s : streams)
            s->poke();
    }
}

ReplayServer::ReplayServer(Recording recording)
    : m_impl(std::make_unique<Impl>(std::move(recording)))
{}

ReplayServer::~ReplayServer()
{
    shutdown();
}

bool ReplayServer::start(std::string *error)
{
    Impl &d = *m_impl;
    grpc::EnableDefaultHealthCheckService(true);
    d.service = std::make_unique<Service>(&d);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &d.port);
    builder.RegisterCallbackGenericService(d.service.get());
    d.server = builder.BuildAndStart();
    if (!d.server || d.port == 0) {
        *error = "cannot listen on 127.0.0.1";
        d.server.reset();
        return false;
    }
    if (auto *health = d.server->GetHealthCheckService())
        health->SetServingStatus(true);
    d.started = true;
    d.pacer = std::thread([&d] { d.pace(); });
    return true;
}

std::string ReplayServer::address() const
{
    return "127.0.0.1:" + std::to_string(m_impl->port);
}

void ReplayServer::shutdown()
{
    Impl &d = *m_impl;
    if (!d.started || d.stopped)
        return;
    d.stopped = true;
    if (auto *health = d.server->GetHealthCheckService())
        health->SetServingStatus(false);
    d.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    d.server->Wait();
    {
        std::lock_guard lock(d.stopMutex);
        d.stopping = true;
    }
    d.stopCv.notify_all();
    d.pacer.join();
    d.server.reset();
}

quint64 ReplayServer::sent() const
{
    return m_impl->sent.load();
}

} // namespace sb::replay
