#include "client/prompts_watch.h"

#include "client/connection.h"
#include "client/convert.h"
#include "client/post_guard.h"
#include "client/stream_reactor.h"
#include "switchboard/v1/prompt_service.grpc.pb.h"

namespace sb {

namespace v1 = switchboard::v1;

class PromptsWatch::Reactor : public detail::StreamReactor<v1::WatchPromptsResponse>
{
public:
    Reactor(std::shared_ptr<PostGuard> guard, std::shared_ptr<detail::ActiveCall> active,
            std::shared_ptr<grpc::Channel> channel, quint64 generation, PromptsWatch *owner)
        : StreamReactor(std::move(active),
                        [guard, owner, generation](const RpcError &err) {
                            guard->post(
                                [owner, err, generation] { owner->onCallDone(err, generation); });
                        }),
          m_guard(std::move(guard)), m_stub(v1::PromptService::NewStub(channel)),
          m_generation(generation), m_owner(owner)
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
        auto *owner = m_owner;
        const quint64 gen = m_generation;
        m_guard->post([owner, gen] {
            if (gen != owner->m_generation)
                return;
            owner->m_backoff.reset();
            owner->m_watching = true;
            emit owner->started();
        });
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
        auto *owner = m_owner;
        const quint64 gen = m_generation;
        m_guard->post([owner, gen, e] {
            if (gen == owner->m_generation)
                emit owner->eventReceived(e);
        });
    }

private:
    std::shared_ptr<PostGuard> m_guard;
    std::unique_ptr<v1::PromptService::Stub> m_stub;
    v1::WatchPromptsRequest m_request;
    quint64 m_generation;
    PromptsWatch *m_owner; // only dereferenced in posts, which die with the owner
};

PromptsWatch::PromptsWatch(Connection *connection, QObject *parent)
    : QObject(parent), m_connection(connection), m_guard(std::make_shared<PostGuard>(this)),
      m_active(std::make_shared<detail::ActiveCall>())
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &PromptsWatch::startCall);
}

PromptsWatch::~PromptsWatch()
{
    m_guard->detach();
    m_active->cancel();
}

void PromptsWatch::start()
{
    if (m_running)
        stop();
    m_running = true;
    m_backoff.reset();
    ++m_generation;
    startCall();
}

void PromptsWatch::stop()
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

void PromptsWatch::startCall()
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

void PromptsWatch::onCallDone(const RpcError &error, quint64 generation)
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
