#include "client/routing_watch.h"

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/convert.h"
#include "client/post_guard.h"
#include "switchboard/v1/routing_service.grpc.pb.h"

namespace sb {

namespace v1 = switchboard::v1;

class RoutingWatch::Reactor : public grpc::ClientReadReactor<v1::WatchRoutingResponse>
{
public:
    Reactor(std::shared_ptr<PostGuard> guard, std::shared_ptr<Active> active,
            std::shared_ptr<grpc::Channel> channel, quint64 generation, RoutingWatch *owner)
        : m_guard(std::move(guard)), m_active(std::move(active)),
          m_stub(v1::RoutingService::NewStub(channel)), m_generation(generation), m_owner(owner)
    {}

    grpc::ClientContext &context() { return m_ctx; }

    void begin()
    {
        CallTracker::add(&m_ctx);
        m_stub->async()->WatchRouting(&m_ctx, &m_request, this);
        StartRead(&m_response);
        StartCall();
    }

    void OnReadDone(bool ok) override
    {
        if (!ok)
            return; // OnDone follows
        deliver();
        StartRead(&m_response);
    }

    void OnDone(const grpc::Status &status) override
    {
        RpcError err = convert::toError(status, m_ctx);
        {
            std::lock_guard lock(m_active->mutex);
            if (m_active->reactor == this)
                m_active->reactor = nullptr;
        }
        auto *owner = m_owner;
        const quint64 gen = m_generation;
        m_guard->post([owner, err, gen] { owner->onCallDone(err, gen); });
        const void *key = &m_ctx;
        delete this; // nothing touches the reactor after OnDone
        CallTracker::remove(key);
    }

private:
    void deliver()
    {
        const auto &r = m_response;
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
    std::shared_ptr<Active> m_active;
    std::unique_ptr<v1::RoutingService::Stub> m_stub;
    grpc::ClientContext m_ctx;
    v1::WatchRoutingRequest m_request;
    v1::WatchRoutingResponse m_response;
    quint64 m_generation;
    RoutingWatch *m_owner; // only dereferenced in posts, which die with the owner
};

RoutingWatch::RoutingWatch(Connection *connection, QObject *parent)
    : QObject(parent), m_connection(connection), m_guard(std::make_shared<PostGuard>(this)),
      m_active(std::make_shared<Active>())
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &RoutingWatch::startCall);
}

RoutingWatch::~RoutingWatch()
{
    m_guard->detach();
    std::lock_guard lock(m_active->mutex);
    if (m_active->reactor)
        m_active->reactor->context().TryCancel();
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
    {
        std::lock_guard lock(m_active->mutex);
        if (m_active->reactor)
            m_active->reactor->context().TryCancel();
    }
    RpcError err;
    err.code = 1; // CANCELLED
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
        err.code = 14;
        err.message = QStringLiteral("not connected");
        onCallDone(err, m_generation);
        return;
    }
    auto *reactor = new Reactor(m_guard, m_active, channel, m_generation, this);
    m_connection->prepare(reactor->context(), Connection::kStreamDeadline);
    {
        std::lock_guard lock(m_active->mutex);
        m_active->reactor = reactor;
    }
    reactor->begin();
}

void RoutingWatch::onCallDone(const RpcError &error, quint64 generation)
{
    if (generation != m_generation || !m_running)
        return;
    m_watching = false;
    const bool fatal = error.code == 3 || error.code == 5 || error.code == 7 || error.code == 12 ||
                       error.code == 16;
    if (fatal) {
        m_running = false;
        emit finished(error);
        return;
    }
    m_retryTimer.start(int(m_backoff.next().count()));
}

} // namespace sb
