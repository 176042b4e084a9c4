#include "client/routing_watch.h"

#include "client/connection.h"
#include "client/convert.h"
#include "client/post_guard.h"
#include "client/stream_reactor.h"
#include "switchboard/v1/routing_service.grpc.pb.h"

namespace sb {

namespace v1 = switchboard::v1;

class RoutingWatch::Reactor : public detail::StreamReactor<v1::WatchRoutingResponse>
{
public:
    Reactor(std::shared_ptr<PostGuard> guard, std::shared_ptr<detail::ActiveCall> active,
            std::shared_ptr<grpc::Channel> channel, quint64 generation, RoutingWatch *owner)
        : StreamReactor(std::move(active),
                        [guard, owner, generation](const RpcError &err) {
                            guard->post(
                                [owner, err, generation] { owner->onCallDone(err, generation); });
                        }),
          m_guard(std::move(guard)), m_stub(v1::RoutingService::NewStub(channel)),
          m_generation(generation), m_owner(owner)
    {}

    void begin()
    {
        StreamReactor::begin([this](grpc::ClientContext *ctx, auto *reactor) {
            m_stub->async()->WatchRouting(ctx, &m_request, reactor);
        });
    }

protected:
    void onMessage(const v1::WatchRoutingResponse &r) override { deliver(r); }

private:
    void deliver(const v1::WatchRoutingResponse &r)
    {
        std::vector<Route> routes;
        std::vector<Model> models;
        for (const auto &x : r.routes())
            routes.push_back(convert::toCore(x));
        for (const auto &x : r.models())
            models.push_back(convert::toCore(x));
        auto *owner = m_owner;
        const quint64 gen = m_generation;
        if (r.kind() == v1::ROUTING_EVENT_KIND_SNAPSHOT) {
            RoutingTable t{std::move(routes), std::move(models), convert::toMs(r.time())};
            m_guard->post([owner, gen, t = std::move(t)] {
                if (gen != owner->m_generation)
                    return;
                owner->m_backoff.reset();
                owner->m_watching = true;
                emit owner->snapshotReceived(t);
            });
            return;
        }
        AuditEvent audit = convert::toCore(r.audit_event());
        m_guard->post([owner, gen, routes = std::move(routes), models = std::move(models), audit] {
            if (gen == owner->m_generation)
                emit owner->changed(routes, models, audit);
        });
    }

    std::shared_ptr<PostGuard> m_guard;
    std::unique_ptr<v1::RoutingService::Stub> m_stub;
    v1::WatchRoutingRequest m_request;
    quint64 m_generation;
    RoutingWatch *m_owner; // only dereferenced in posts, which die with the owner
};

RoutingWatch::RoutingWatch(Connection *connection, QObject *parent)
    : QObject(parent), m_connection(connection), m_guard(std::make_shared<PostGuard>(this)),
      m_active(std::make_shared<detail::ActiveCall>())
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &RoutingWatch::startCall);
}

RoutingWatch::~RoutingWatch()
{
    m_guard->detach();
    m_active->cancel();
}

void RoutingWatch::start()
{
    if (m_running)
        stop();
    m_running = true;
    m_backoff.reset();
    ++m_generation;
    startCall();
}

void RoutingWatch::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_watching = false;
    m_retryTimer.stop();
    ++m_generation; // the cancelled call's events and end are now stale
    m_active->cancel();
    RpcError err;
    err.code = RpcCode::Cancelled;
    err.message = QStringLiteral("stopped by the user");
    emit finished(err);
}

void RoutingWatch::startCall()
{
    if (!m_running)
        return;
    auto channel = m_connection->channel();
    if (!channel) {
        RpcError err;
        err.code = RpcCode::Unavailable;
        err.message = QStringLiteral("not connected");
        onCallDone(err, m_generation);
        return;
    }
    auto *reactor = new Reactor(m_guard, m_active, channel, m_generation, this);
    m_connection->prepare(reactor->context(), Connection::kStreamDeadline);
    reactor->begin();
}

void RoutingWatch::onCallDone(const RpcError &error, quint64 generation)
{
    if (generation != m_generation || !m_running)
        return;
    m_watching = false;
    if (error.permanent()) {
        m_running = false;
        emit finished(error);
        return;
    }
    m_retryTimer.start(int(m_backoff.next().count()));
}

} // namespace sb
