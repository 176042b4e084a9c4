#include "client/compare_stream.h"

#include "client/connection.h"
#include "client/convert.h"
#include "client/post_guard.h"
#include "client/stream_reactor.h"
#include "switchboard/v1/experiment_service.grpc.pb.h"

#include <atomic>
#include <chrono>
#include <mutex>

namespace sb {

namespace v1 = switchboard::v1;

// What waits for the GUI thread, per call.
struct CompareStream::Buffer
{
    std::mutex mutex;
    std::vector<TokenDelta> deltas;
    std::vector<VariantSummary> done;
    std::atomic<bool> posted{false};
};

class CompareStream::Reactor : public detail::StreamReactor<v1::CompareResponse>
{
public:
    Reactor(std::shared_ptr<Buffer> buffer, std::shared_ptr<PostGuard> guard,
            std::shared_ptr<detail::ActiveCall> active, std::shared_ptr<grpc::Channel> channel,
            v1::CompareRequest request, quint64 generation, CompareStream *owner)
        : StreamReactor(std::move(active),
                        [guard, owner, generation, buffer](const RpcError &err) {
                            guard->post([owner, err, generation, buffer] {
                                owner->onCallDone(err, generation, buffer);
                            });
                        }),
          m_buffer(std::move(buffer)), m_guard(std::move(guard)),
          m_stub(v1::ExperimentService::NewStub(channel)), m_request(std::move(request)),
          m_generation(generation), m_owner(owner)
    {}

    void begin()
    {
        StreamReactor::begin([this](grpc::ClientContext *ctx, auto *reactor) {
            m_stub->async()->Compare(ctx, &m_request, reactor);
        });
    }

protected:
    void onMessage(const v1::CompareResponse &r) override
    {
        const qint64 nowUs = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
        {
            std::lock_guard lock(m_buffer->mutex);
            if (r.has_delta()) {
                const auto &d = r.delta();
                m_buffer->deltas.push_back(
                    {convert::str(d.variant_id()), convert::str(d.text()), d.index(), nowUs});
            } else if (r.has_done()) {
                m_buffer->done.push_back(convert::toCore(r.done()));
            } else {
                return; // an event this client does not know: ignored
            }
        }
        if (!m_buffer->posted.exchange(true)) {
            auto *owner = m_owner;
            const quint64 gen = m_generation;
            m_guard->post([owner, gen, buffer = m_buffer] { owner->drain(gen, buffer); });
        }
    }

private:
    std::shared_ptr<Buffer> m_buffer;
    std::shared_ptr<PostGuard> m_guard;
    std::unique_ptr<v1::ExperimentService::Stub> m_stub;
    v1::CompareRequest m_request;
    quint64 m_generation;
    CompareStream *m_owner; // only dereferenced in posts, which die with the owner
};

CompareStream::CompareStream(Connection *connection, QObject *parent)
    : QObject(parent), m_connection(connection), m_guard(std::make_shared<PostGuard>(this)),
      m_active(std::make_shared<detail::ActiveCall>())
{}

CompareStream::~CompareStream()
{
    m_guard->detach();
    m_active->cancel();
}

void CompareStream::start(const CompareRequest &request)
{
    if (m_running)
        cancel();
    m_running = true;
    m_requestId = request.requestId;
    ++m_generation;
    auto buffer = std::make_shared<Buffer>();
    auto channel = m_connection->channel();
    if (!channel) {
        RpcError err;
        err.code = RpcCode::Unavailable;
        err.message = QStringLiteral("not connected");
        const quint64 gen = m_generation;
        // Still asynchronous, like every other answer.
        m_guard->post([this, err, gen, buffer] { onCallDone(err, gen, buffer); });
        return;
    }
    v1::CompareRequest req;
    req.set_experiment_id(request.experimentId.toStdString());
    for (const auto &id : request.variantIds)
        req.add_variant_ids(id.toStdString());
    for (auto it = request.variables.begin(); it != request.variables.end(); ++it)
        (*req.mutable_variables())[it.key().toStdString()] = it.value().toStdString();
    req.set_input(request.input.toStdString());
    req.set_request_id(request.requestId.toStdString());
    auto *reactor =
        new Reactor(buffer, m_guard, m_active, channel, std::move(req), m_generation, this);
    m_connection->prepare(reactor->context(), kDeadline);
    reactor->begin();
}

void CompareStream::cancel()
{
    if (!m_running)
        return;
    m_running = false;
    ++m_generation; // what the cancelled call still delivers is stale
    m_active->cancel();
    RpcError err;
    err.code = RpcCode::Cancelled;
    err.message = QStringLiteral("cancelled by the user");
    emit finished(err);
}

void CompareStream::drain(quint64 generation, const std::shared_ptr<Buffer> &buffer)
{
    buffer->posted.store(false);
    if (generation != m_generation)
        return;
    std::vector<TokenDelta> deltas;
    std::vector<VariantSummary> done;
    {
        std::lock_guard lock(buffer->mutex);
        deltas.swap(buffer->deltas);
        done.swap(buffer->done);
    }
    // A variant's summary follows all its deltas on the wire, so deltas first.
    if (!deltas.empty())
        emit deltasReceived(deltas);
    for (const auto &s : done) {
        if (generation != m_generation)
            return; // a handler cancelled or restarted the comparison
        emit variantFinished(s);
    }
}

void CompareStream::onCallDone(const RpcError &error, quint64 generation,
                               const std::shared_ptr<Buffer> &buffer)
{
    if (generation != m_generation || !m_running)
        return;
    drain(generation, buffer); // whatever arrived just before the end
    m_running = false;
    emit finished(error);
}

} // namespace sb
