#include "client/prompts_watch.h"

#include "client/connection.h"
#include "client/convert.h"
#include "client/watch_link.h"
#include "switchboard/v1/prompt_service.grpc.pb.h"

namespace sb {

namespace v1 = switchboard::v1;

class PromptsWatch::Reactor : public detail::StreamReactor<v1::WatchPromptsResponse>
{
public:
    Reactor(const WatchLink &link, const std::shared_ptr<grpc::Channel> &channel,
            PromptsWatch *owner)
        : StreamReactor(link.active, link.done()), m_link(link),
          m_stub(v1::PromptService::NewStub(channel)), m_owner(owner)
    {}

    void begin()
    {
        StreamReactor::begin([this](grpc::ClientContext *ctx, auto *reactor) {
            m_stub->async()->WatchPrompts(ctx, &m_request, reactor);
        });
    }

    // A read reactor always gets the service's headers first: from then on
    // the subscription is in place and no event is missed.
    void OnReadInitialMetadataDone(bool ok) override
    {
        if (!ok)
            return; // OnDone follows with the status
        m_link.answered();
        m_link.post([owner = m_owner] { emit owner->started(); });
    }

protected:
    void onMessage(const v1::WatchPromptsResponse &r) override
    {
        PromptEvent e;
        switch (r.kind()) {
        case v1::PROMPT_EVENT_KIND_VERSION_CREATED:
            e.kind = PromptEvent::Kind::VersionCreated;
            break;
        case v1::PROMPT_EVENT_KIND_LABEL_MOVED:
            e.kind = PromptEvent::Kind::LabelMoved;
            break;
        default:
            return; // a kind from a newer contract: nothing we can show
        }
        e.prompt = convert::toCore(r.prompt());
        if (r.has_version())
            e.version = convert::toCore(r.version());
        e.label = convert::str(r.label());
        e.previousVersion = r.previous_version();
        e.actor = convert::str(r.actor());
        e.timeMs = convert::toMs(r.time());
        m_link.post([owner = m_owner, e] { emit owner->eventReceived(e); });
    }

private:
    WatchLink m_link;
    std::unique_ptr<v1::PromptService::Stub> m_stub;
    v1::WatchPromptsRequest m_request;
    PromptsWatch *m_owner; // only dereferenced in posts, which die with the owner
};

PromptsWatch::PromptsWatch(Connection *connection, QObject *parent)
    : ResumingWatch(connection, parent)
{}

void PromptsWatch::startReactor(const std::shared_ptr<grpc::Channel> &channel,
                                const WatchLink &link)
{
    auto *reactor = new Reactor(link, channel, this);
    connection()->prepare(reactor->context(), Connection::kStreamDeadline);
    reactor->begin();
}

} // namespace sb
