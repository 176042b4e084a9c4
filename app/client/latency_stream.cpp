#include "client/latency_stream.h"

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/convert.h"
#include "client/post_guard.h"
#include "client/stream_reactor.h"
#include "switchboard/v1/telemetry_service.grpc.pb.h"

#include <QHash>
#include <algorithm>
#include <atomic>
#include <mutex>

namespace sb {

namespace v1 = switchboard::v1;

// State of one run (one start()). A fresh block per run, so a reactor that
// outlives stop() (TryCancel is best-effort) can only touch its own run.
// The aggregator and dictionary are touched only by the run's reactors, one
// at a time (a retry starts after the previous call's OnDone), so they need
// no lock; the GUI thread sees only `pending` and `stats`, under `mutex`,
// held just long enough to move a few points.
struct LatencyStream::Shared
{
    static constexpr std::size_t kMaxPending = 200000;

    // Reactor-only.
    LatencyAggregator aggregator{250};
    QHash<quint32, QString> routeNames;
    std::string epoch;
    quint64 lastSequence = 0;
    // Seconds before this one are partial (the run started inside them):
    // their counts and quantiles would understate the traffic, so they are
    // not shown. Set by the first batch of a run.
    qint64 completeFromMs = -1;

    // Shared with the GUI thread.
    std::mutex mutex;
    std::vector<RoutePoint> pending;
    QStringList routes;
    Stats stats;
    std::atomic<bool> drainPosted{false};
};

class LatencyStream::Reactor : public detail::StreamReactor<v1::StreamLatencyResponse>
{
public:
    Reactor(std::shared_ptr<Shared> shared, std::shared_ptr<PostGuard> guard,
            std::shared_ptr<detail::ActiveCall> active, std::shared_ptr<grpc::Channel> channel,
            v1::StreamLatencyRequest request, quint64 generation, LatencyStream *owner)
        : StreamReactor(std::move(active),
                        [guard, owner, generation](const RpcError &err) {
                            guard->post(
                                [owner, err, generation] { owner->onCallDone(err, generation); });
                        }),
          m_shared(std::move(shared)), m_guard(std::move(guard)),
          m_stub(v1::TelemetryService::NewStub(channel)), m_request(std::move(request)),
          m_generation(generation), m_owner(owner)
    {}

    void begin()
    {
        StreamReactor::begin([this](grpc::ClientContext *ctx, auto *reactor) {
            m_stub->async()->StreamLatency(ctx, &m_request, reactor);
        });
    }

protected:
    void onMessage(const v1::StreamLatencyResponse &r) override { process(r); }

private:
    void process(const v1::StreamLatencyResponse &r)
    {
        auto &sh = *m_shared;
        bool notifyStreaming = false;
        QString gapWhy;
        if (!m_first) {
            m_first = true;
            notifyStreaming = true;
            const bool askedResume = m_request.resume_after_sequence() > 0;
            if (askedResume && (!r.resumed() || r.stream_epoch() != sh.epoch)) {
                gapWhy = r.stream_epoch() != sh.epoch
                             ? QStringLiteral("the service restarted; samples in between "
                                              "are lost")
                             : QStringLiteral("the service no longer had every batch "
                                              "since the disconnect");
            }
        }
        if (r.stream_epoch() != sh.epoch) {
            sh.epoch = r.stream_epoch();
            sh.lastSequence = 0;
            sh.routeNames.clear();
        }
        bool newRoutes = false;
        for (const auto &d : r.dictionary()) {
            if (d.kind() == v1::DICTIONARY_KIND_ROUTE) {
                sh.routeNames.insert(d.id(), convert::str(d.name()));
                newRoutes = true;
            }
        }
        bool duplicate = false;
        int samples = 0;
        bool malformed = false;
        if (r.sequence() != 0 && r.sequence() <= sh.lastSequence) {
            duplicate = true;
        } else {
            sh.lastSequence = std::max<quint64>(sh.lastSequence, r.sequence());
            samples = ingest(r, sh, &malformed);
        }
        if (sh.completeFromMs < 0 && samples > 0 && r.offset_micros_size() > 0) {
            const qint64 firstMs = (qint64(r.base_time().seconds()) * 1000000 +
                                    r.base_time().nanos() / 1000 + r.offset_micros(0)) /
                                   1000;
            sh.completeFromMs = (firstMs + 999) / 1000 * 1000; // next whole second
        }
        std::vector<RoutePoint> closed = sh.aggregator.takeClosed();
        std::erase_if(closed,
                      [&](const RoutePoint &p) { return p.point.secondMs < sh.completeFromMs; });
        {
            std::lock_guard lock(sh.mutex);
            if (!gapWhy.isEmpty())
                ++sh.stats.gaps;
            if (duplicate)
                ++sh.stats.duplicates;
            else
                ++sh.stats.batches;
            if (malformed)
                ++sh.stats.malformed;
            sh.stats.samples += quint64(samples);
            sh.stats.lastSequence = sh.lastSequence;
            if (newRoutes) {
                sh.routes = QStringList(sh.routeNames.begin(), sh.routeNames.end());
                sh.routes.sort();
            }
            // A GUI that stops draining loses the oldest points, never memory.
            sh.pending.insert(sh.pending.end(), closed.begin(), closed.end());
            if (sh.pending.size() > Shared::kMaxPending)
                sh.pending.erase(sh.pending.begin(),
                                 sh.pending.begin() +
                                     std::ptrdiff_t(sh.pending.size() - Shared::kMaxPending));
        }
        if (notifyStreaming || !gapWhy.isEmpty()) {
            auto *owner = m_owner;
            const quint64 gen = m_generation;
            m_guard->post([owner, gen, gapWhy] {
                if (gen != owner->m_generation)
                    return;
                owner->m_backoff.reset();
                owner->setState(State::Streaming, QString());
                if (!gapWhy.isEmpty())
                    emit owner->gapDetected(gapWhy);
            });
        }
        if (!closed.empty() && !sh.drainPosted.exchange(true)) {
            auto *owner = m_owner;
            const quint64 gen = m_generation;
            m_guard->post([owner, gen] {
                if (gen == owner->m_generation)
                    owner->drain();
            });
        }
    }

    int ingest(const v1::StreamLatencyResponse &r, Shared &sh, bool *malformed)
    {
        // Columns must be parallel; a service that sends ragged columns gets
        // its batch trimmed to the shortest column rather than trusted.
        const int n = std::min({r.offset_micros_size(), r.latency_ms_size(), r.route_ids_size(),
                                r.status_codes_size()});
        const int longest = std::max({r.offset_micros_size(), r.latency_ms_size(),
                                      r.route_ids_size(), r.status_codes_size()});
        *malformed = n != longest;
        const bool hasTtft = r.ttft_ms_size() >= n;
        const bool hasFallback = r.fallback_used_size() >= n;
        const qint64 baseUs =
            qint64(r.base_time().seconds()) * 1000000 + r.base_time().nanos() / 1000;
        QString lastName;
        quint32 lastId = UINT32_MAX;
        for (int i = 0; i < n; ++i) {
            const quint32 rid = r.route_ids(i);
            if (rid != lastId) {
                lastId = rid;
                lastName = sh.routeNames.value(rid);
                if (lastName.isEmpty())
                    lastName = QStringLiteral("route#%1").arg(rid);
            }
            const qint64 tMs = (baseUs + r.offset_micros(i)) / 1000;
            sh.aggregator.add(lastName, tMs, r.latency_ms(i), hasTtft ? r.ttft_ms(i) : 0.0,
                              r.status_codes(i) != 0, hasFallback && r.fallback_used(i));
        }
        return n;
    }

    std::shared_ptr<Shared> m_shared;
    std::shared_ptr<PostGuard> m_guard;
    std::unique_ptr<v1::TelemetryService::Stub> m_stub;
    v1::StreamLatencyRequest m_request;
    quint64 m_generation;
    LatencyStream *m_owner; // only dereferenced in posts, which die with the owner
    bool m_first = false;
};

LatencyStream::LatencyStream(Connection *connection, QObject *parent)
    : QObject(parent), m_connection(connection), m_guard(std::make_shared<PostGuard>(this)),
      m_active(std::make_shared<detail::ActiveCall>()), m_shared(std::make_shared<Shared>())
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &LatencyStream::startCall);
}

LatencyStream::~LatencyStream()
{
    m_guard->detach();
    m_active->cancel();
}

LatencyStream::Stats LatencyStream::stats() const
{
    std::lock_guard lock(m_shared->mutex);
    return m_shared->stats;
}

QStringList LatencyStream::routes() const
{
    std::lock_guard lock(m_shared->mutex);
    return m_shared->routes;
}

void LatencyStream::start(const QStringList &routes)
{
    if (m_running)
        stop();
    m_routes = routes;
    m_running = true;
    m_backoff.reset();
    ++m_generation;
    m_shared = std::make_shared<Shared>(); // a new run resumes nothing of the last
    startCall();
}

void LatencyStream::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_retryTimer.stop();
    m_active->cancel();
    ++m_generation; // the cancelled call's OnDone is now stale
    setState(State::Stopped, tr("stopped"));
    RpcError err;
    err.code = RpcCode::Cancelled;
    err.message = QStringLiteral("stopped by the user");
    emit finished(err);
}

void LatencyStream::startCall()
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
    v1::StreamLatencyRequest req;
    for (const auto &r : m_routes)
        req.add_routes(r.toStdString());
    // The previous call of this run has finished (we are called after its
    // OnDone), so reading the reactor-only resume point here is safe.
    if (m_shared->lastSequence > 0) {
        req.set_resume_after_sequence(m_shared->lastSequence);
        req.set_stream_epoch(m_shared->epoch);
    }
    auto *reactor =
        new Reactor(m_shared, m_guard, m_active, channel, std::move(req), m_generation, this);
    m_connection->prepare(reactor->context(), Connection::kStreamDeadline);
    setState(m_state == State::Reconnecting ? State::Reconnecting : State::Connecting,
             tr("opening latency stream"));
    reactor->begin();
}

void LatencyStream::onCallDone(const RpcError &error, quint64 generation)
{
    if (generation != m_generation || !m_running)
        return;
    if (error.permanent()) {
        m_running = false;
        setState(State::Stopped, error.describe());
        emit finished(error);
        return;
    }
    {
        std::lock_guard lock(m_shared->mutex);
        ++m_shared->stats.reconnects;
    }
    const auto delay = m_backoff.next();
    setState(State::Reconnecting, tr("stream lost (%1); retrying in %2 s")
                                      .arg(error.ok() ? tr("ended by service") : error.describe())
                                      .arg(double(delay.count()) / 1000.0, 0, 'f', 1));
    m_retryTimer.start(int(delay.count()));
}

void LatencyStream::drain()
{
    m_shared->drainPosted.store(false);
    std::vector<RoutePoint> points;
    {
        std::lock_guard lock(m_shared->mutex);
        points.swap(m_shared->pending);
    }
    if (!points.empty())
        emit pointsReady(points);
}

void LatencyStream::setState(State s, const QString &detail)
{
    if (s == m_state && detail.isEmpty())
        return;
    m_state = s;
    emit stateChanged(s, detail);
}

} // namespace sb
