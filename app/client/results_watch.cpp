#include "client/results_watch.h"

#include "client/connection.h"
#include "client/convert.h"
#include "client/post_guard.h"
#include "client/stream_reactor.h"
#include "switchboard/v1/experiment_service.grpc.pb.h"

#include <atomic>
#include <mutex>
#include <optional>

namespace sb {

namespace v1 = switchboard::v1;

// The newest snapshot not yet taken by the GUI thread. One per run, so a
// reactor that outlives stop() can only write into its own run's slot.
struct ResultsWatch::Slot
{
    std::mutex mutex;
    std::optional<ExperimentResults> latest;
    std::atomic<bool> posted{false};
};

class ResultsWatch::Reactor : public detail::StreamReactor<v1::WatchResultsResponse>
{
public:
    Reactor(std::shared_ptr<Slot> slot, std::shared_ptr<PostGuard> guard,
            std::shared_ptr<detail::ActiveCall> active, std::shared_ptr<grpc::Channel> channel,
            v1::WatchResultsRequest request, quint64 generation, ResultsWatch *owner)
        : StreamReactor(std::move(active),
                        [guard, owner, generation](const RpcError &err) {
                            guard->post(
                                [owner, err, generation] { owner->onCallDone(err, generation); });
                        }),
          m_slot(std::move(slot)), m_guard(std::move(guard)),
          m_stub(v1::ExperimentService::NewStub(channel)), m_request(std::move(request)),
          m_generation(generation), m_owner(owner)
    {}

    void begin()
    {
        StreamReactor::begin([this](grpc::ClientContext *ctx, auto *reactor) {
            m_stub->async()->WatchResults(ctx, &m_request, reactor);
        });
    }

protected:
    void onMessage(const v1::WatchResultsResponse &r) override
    {
        ExperimentResults results = convert::toCore(r.results());
        {
            std::lock_guard lock(m_slot->mutex);
            m_slot->latest = std::move(results); // an untaken older one is simply replaced
        }
        if (!m_slot->posted.exchange(true)) {
            auto *owner = m_owner;
            const quint64 gen = m_generation;
            m_guard->post([owner, gen, slot = m_slot] { owner->take(gen, slot); });
        }
    }

private:
    std::shared_ptr<Slot> m_slot;
    std::shared_ptr<PostGuard> m_guard;
    std::unique_ptr<v1::ExperimentService::Stub> m_stub;
    v1::WatchResultsRequest m_request;
    quint64 m_generation;
    ResultsWatch *m_owner; // only dereferenced in posts, which die with the owner
};

ResultsWatch::ResultsWatch(Connection *connection, QObject *parent)
    : QObject(parent), m_connection(connection), m_guard(std::make_shared<PostGuard>(this)),
      m_active(std::make_shared<detail::ActiveCall>()), m_slot(std::make_shared<Slot>())
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &ResultsWatch::startCall);
}

ResultsWatch::~ResultsWatch()
{
    m_guard->detach();
    m_active->cancel();
}

void ResultsWatch::start(const QString &experimentId, std::chrono::milliseconds interval)
{
    if (m_running)
        stop();
    m_experimentId = experimentId;
    m_interval = interval;
    m_running = true;
    m_backoff.reset();
    ++m_generation;
    m_slot = std::make_shared<Slot>();
    startCall();
}

void ResultsWatch::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_retryTimer.stop();
    ++m_generation; // the cancelled call's snapshots and end are now stale
    m_active->cancel();
    setWatching(false, tr("stopped"));
    RpcError err;
    err.code = RpcCode::Cancelled;
    err.message = QStringLiteral("stopped by the user");
    emit finished(err);
}

void ResultsWatch::startCall()
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
    v1::WatchResultsRequest req;
    req.set_experiment_id(m_experimentId.toStdString());
    const auto ms = m_interval.count();
    req.mutable_interval()->set_seconds(ms / 1000);
    req.mutable_interval()->set_nanos(int32_t((ms % 1000) * 1000000));
    auto *reactor =
        new Reactor(m_slot, m_guard, m_active, channel, std::move(req), m_generation, this);
    m_connection->prepare(reactor->context(), Connection::kStreamDeadline);
    reactor->begin();
}

void ResultsWatch::take(quint64 generation, const std::shared_ptr<Slot> &slot)
{
    slot->posted.store(false);
    if (generation != m_generation)
        return;
    std::optional<ExperimentResults> latest;
    {
        std::lock_guard lock(slot->mutex);
        latest.swap(slot->latest);
    }
    if (!latest)
        return;
    m_backoff.reset();
    setWatching(true, {});
    emit resultsReceived(*latest);
}

void ResultsWatch::onCallDone(const RpcError &error, quint64 generation)
{
    if (generation != m_generation || !m_running)
        return;
    if (error.permanent()) {
        m_running = false;
        setWatching(false, error.describe());
        emit finished(error);
        return;
    }
    const auto delay = m_backoff.next();
    setWatching(false, tr("results stream lost (%1); retrying in %2 s")
                           .arg(error.ok() ? tr("ended by service") : error.describe())
                           .arg(double(delay.count()) / 1000.0, 0, 'f', 1));
    m_retryTimer.start(int(delay.count()));
}

void ResultsWatch::setWatching(bool watching, const QString &detail)
{
    if (watching == m_watching && detail.isEmpty())
        return;
    m_watching = watching;
    emit watchingChanged(watching, detail);
}

} // namespace sb
