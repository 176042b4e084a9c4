#include "client/routing_watch.h"

#include "client/connection.h"
#include "client/convert.h"
#include "client/watch_link.h"
#include "switchboard/v1/routing_service.grpc.pb.h"

namespace sb {

namespace v1 = switchboard::v1;

class RoutingWatch::Reactor : public detail::StreamReactor<v1::WatchRoutingResponse>
{
public:
    Reactor(const WatchLink &link, const std::shared_ptr<grpc::Channel> &channel,
            RoutingWatch *owner)
        : StreamReactor(link.active, link.done()), m_link(link),
          m_stub(v1::RoutingService::NewStub(channel)), m_owner(owner)
    {}

    void begin()
    {
        StreamReactor::begin([this](grpc::ClientContext *ctx, auto *reactor) {
            m_stub->async()->WatchRouting(ctx, &m_request, reactor);
        });
    }

protected:
    void onMessage(const v1::WatchRoutingResponse &r) override
    {
        std::vector<Route> routes;
        std::vector<Model> models;
        for (const auto &x : r.routes())
            routes.push_back(convert::toCore(x));
        for (const auto &x : r.models())
            models.push_back(convert::toCore(x));
        auto *owner = m_owner;
        if (r.kind() == v1::ROUTING_EVENT_KIND_SNAPSHOT) {
            // The whole table, first and after every reconnect: nothing to resume.
            RoutingTable t{std::move(routes), std::move(models), convert::toMs(r.time())};
            m_link.answered();
            m_link.post([owner, t = std::move(t)] { emit owner->snapshotReceived(t); });
            return;
        }
        AuditEvent audit = convert::toCore(r.audit_event());
        m_link.post([owner, routes = std::move(routes), models = std::move(models), audit] {
            emit owner->changed(routes, models, audit);
        });
    }

private:
    WatchLink m_link;
    std::unique_ptr<v1::RoutingService::Stub> m_stub;
    v1::WatchRoutingRequest m_request;
    RoutingWatch *m_owner; // only dereferenced in posts, which die with the owner
};

RoutingWatch::RoutingWatch(Connection *connection, QObject *parent)
    : ResumingWatch(connection, parent)
{}

void RoutingWatch::startReactor(const std::shared_ptr<grpc::Channel> &channel,
                                const WatchLink &link)
{
    auto *reactor = new Reactor(link, channel, this);
    connection()->prepare(reactor->context(), Connection::kStreamDeadline);
    reactor->begin();
}

} // namespace sb
