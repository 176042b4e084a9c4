#include "client/latency_stream.h"

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/convert.h"
#include "client/post_guard.h"
#include "client/stream_reactor.h"
#include "core/clock.h"
#include "switchboard/v1/telemetry_service.grpc.pb.h"

#include <QDateTime>
#include <QMetaMethod>
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <thread>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace sb {

namespace v1 = switchboard::v1;

LatencyBatchDecoder::LatencyBatchDecoder(std::shared_ptr<SeriesInterner> interner,
                                         SampleLimits limits)
    : m_ingest(std::move(interner), limits, 250)
{}

QStringList LatencyBatchDecoder::routeNames() const
{
    QStringList out(m_routeNames.begin(), m_routeNames.end());
    out.sort();
    return out;
}

std::optional<LatencyBatchDecoder::Result>
LatencyBatchDecoder::decode(const char *data, std::size_t size, qint64 nowMs)
{
    v1::StreamLatencyResponse r;
    if (size > std::size_t(std::numeric_limits<int>::max()) || !r.ParseFromArray(data, int(size)))
        return std::nullopt;
    return decode(r, nowMs);
}

LatencyBatchDecoder::Admission LatencyBatchDecoder::admit(const v1::StreamLatencyResponse &r)
{
    Admission a;
    if (r.stream_epoch() != m_epoch) {
        // A restarted service numbers its batches afresh.
        m_epoch = r.stream_epoch();
        m_lastSequence = 0;
        a.epochChanged = true;
    }
    if (r.sequence() != 0 && r.sequence() <= m_lastSequence) {
        a.duplicate = true;
        return a;
    }
    m_lastSequence = std::max<quint64>(m_lastSequence, r.sequence());
    return a;
}

LatencyBatchDecoder::Result LatencyBatchDecoder::decode(const v1::StreamLatencyResponse &r,
                                                        qint64 nowMs)
{
    if (admit(r).duplicate) {
        Result res;
        res.duplicate = true;
        return res;
    }
    return ingest(r, nowMs);
}

LatencyBatchDecoder::Result LatencyBatchDecoder::ingest(const v1::StreamLatencyResponse &r,
                                                        qint64 nowMs)
{
    Result res;
    if (r.stream_epoch() != m_contentEpoch) {
        // ... and its names: the old ids mean nothing now.
        m_contentEpoch = r.stream_epoch();
        m_routeNames.clear();
        m_routeNameById.clear();
        m_routeNameFar.clear();
        m_ingest.dictionary().clear();
        res.newRoutes = true;
    }
    using Kind = SeriesDictionary::Kind;
    for (const auto &d : r.dictionary()) {
        const QString name = convert::str(d.name());
        switch (d.kind()) {
        case v1::DICTIONARY_KIND_ROUTE:
            m_ingest.dictionary().define(Kind::Route, d.id(), name);
            if (d.id() != 0)
                m_routeNames.insert(d.id(), name);
            if (d.id() < m_routeNameById.size())
                m_routeNameById[d.id()] = QString(); // looked up afresh
            m_routeNameFar.remove(d.id());
            res.newRoutes = true;
            break;
        case v1::DICTIONARY_KIND_MODEL:
            m_ingest.dictionary().define(Kind::Model, d.id(), name);
            break;
        case v1::DICTIONARY_KIND_VARIANT:
            m_ingest.dictionary().define(Kind::Variant, d.id(), name);
            break;
        default:
            break; // a kind from a newer contract: nothing refers to it yet
        }
    }

    // Columns must be parallel; a service that sends ragged columns gets
    // its batch trimmed to the shortest column rather than trusted. An
    // optional column shorter than that is ignored (and flagged).
    const int n = std::min(
        {r.offset_micros_size(), r.latency_ms_size(), r.route_ids_size(), r.status_codes_size()});
    const int longest = std::max(
        {r.offset_micros_size(), r.latency_ms_size(), r.route_ids_size(), r.status_codes_size()});
    bool ragged = n != longest;
    auto optional = [&](int size) {
        if (size >= n)
            return true;
        if (size > 0)
            ragged = true;
        return false;
    };
    SampleColumns c;
    c.baseUs = SampleColumns::toMicros(r.base_time().seconds(), r.base_time().nanos());
    c.size = std::size_t(n);
    c.offsetMicros = r.offset_micros().data();
    c.latencyMs = r.latency_ms().data();
    c.routeIds = r.route_ids().data();
    c.statusCodes = r.status_codes().data();
    c.ttftMs = optional(r.ttft_ms_size()) ? r.ttft_ms().data() : nullptr;
    c.modelIds = optional(r.model_ids_size()) ? r.model_ids().data() : nullptr;
    c.variantIds = optional(r.variant_ids_size()) ? r.variant_ids().data() : nullptr;
    c.outputTokens = optional(r.output_tokens_size()) ? r.output_tokens().data() : nullptr;
    c.fallbackUsed = optional(r.fallback_used_size()) ? r.fallback_used().data() : nullptr;
    res.malformed = ragged;
    res.samples = std::size_t(n);
    res.accepted = m_ingest.ingest(c, nowMs);
    if (m_routePoints)
        ingestRoutePoints(r, n);
    return res;
}

void LatencyBatchDecoder::ingestRoutePoints(const v1::StreamLatencyResponse &r, int n)
{
    const bool hasTtft = r.ttft_ms_size() >= n;
    const bool hasFallback = r.fallback_used_size() >= n;
    const qint64 baseUs = SampleColumns::toMicros(r.base_time().seconds(), r.base_time().nanos());
    // One QString per route id, referenced (not copied) per sample: the
    // aggregator recognises a route by its name's shared data.
    auto nameOf = [&](quint32 rid) -> const QString & {
        if (rid >= m_routeNameById.size() && rid < kMaxDirectRouteId)
            m_routeNameById.resize(std::size_t(rid) + 1);
        QString &slot = rid < kMaxDirectRouteId ? m_routeNameById[rid] : m_routeNameFar[rid];
        if (slot.isEmpty()) {
            slot = m_routeNames.value(rid);
            if (slot.isEmpty())
                slot = QStringLiteral("route#%1").arg(rid);
        }
        return slot;
    };
    const QString *name = nullptr;
    quint32 lastId = UINT32_MAX;
    for (int i = 0; i < n; ++i) {
        const quint32 rid = r.route_ids(i);
        if (!name || rid != lastId) { // a first id of UINT32_MAX must look its name up too
            lastId = rid;
            name = &nameOf(rid);
        }
        const qint64 tMs = (baseUs + r.offset_micros(i)) / 1000;
        m_routeAggregator.add(*name, tMs, r.latency_ms(i), hasTtft ? r.ttft_ms(i) : 0.0,
                              r.status_codes(i) != 0, hasFallback && r.fallback_used(i));
    }
}

// State of one run (one start()). A fresh block per run, so a reactor that
// outlives stop() (TryCancel is best-effort) can only touch its own run.
// The decoder's sequence side is touched only by the run's reactors, one at a
// time (a retry starts after the previous call's OnDone); its content side
// only by the decode thread. The GUI thread sees only the pending vectors and
// `stats`, under `mutex`, held just long enough to move them.
struct LatencyStream::Shared
{
    static constexpr std::size_t kMaxPending = 200000;
    // Closed series seconds waiting for the GUI: a few minutes of a large
    // fleet (each holds two sketches, a few KB).
    static constexpr std::size_t kMaxPendingSeconds = 8192;

    explicit Shared(std::shared_ptr<SeriesInterner> interner) : decoder(std::move(interner)) {}

    LatencyBatchDecoder decoder;
    // Decode thread only. Seconds before this one are partial (the run
    // started inside them): their counts and quantiles would understate the
    // traffic, so they are not shown. Set by the first batch of a run.
    qint64 completeFromMs = -1;

    // Shared with the GUI thread.
    std::mutex mutex;
    std::vector<RoutePoint> pending;
    std::vector<SeriesSecond> pendingSeries;
    QStringList routes;
    Stats stats;
    std::atomic<bool> drainPosted{false};
    // Whether anything listens to pointsReady (set by the GUI thread).
    std::atomic<bool> wantRoutePoints{false};
};

// The decode thread of one LatencyStream, fed by its reactors (of any run).
// Parsed batches are moved in (protobuf Swap: pointers, not bytes) and their
// emptied messages are recycled, so a steady stream allocates nothing.
struct LatencyStream::Pipeline
{
    struct Item
    {
        std::shared_ptr<Shared> run;
        std::unique_ptr<v1::StreamLatencyResponse> batch;
        quint64 generation = 0;
    };

    Pipeline(std::shared_ptr<PostGuard> guard, LatencyStream *owner)
        : m_guard(std::move(guard)), m_owner(owner), m_thread([this] { loop(); })
    {}
    ~Pipeline() { stop(); }

    std::unique_ptr<v1::StreamLatencyResponse> spare()
    {
        std::lock_guard lock(m_mutex);
        if (m_pool.empty())
            return std::make_unique<v1::StreamLatencyResponse>();
        auto m = std::move(m_pool.back());
        m_pool.pop_back();
        return m;
    }

    // From a gRPC thread. Waits while kMaxQueuedBatches are queued: the decode
    // thread frees a slot within one batch's work. False once stopped.
    bool push(Item item)
    {
        std::unique_lock lock(m_mutex);
        m_space.wait(lock, [&] { return m_stopping || m_queue.size() < kMaxQueuedBatches; });
        if (m_stopping)
            return false;
        m_queue.push_back(std::move(item));
        m_work.notify_one();
        return true;
    }

    // Owner's destructor only: queued batches are dropped (nobody is left).
    void stop()
    {
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                return;
            m_stopping = true;
        }
        m_work.notify_all();
        m_space.notify_all();
        if (m_thread.joinable())
            m_thread.join();
        m_queue.clear();
    }

private:
    void loop()
    {
#ifdef Q_OS_LINUX
        // Throughput work: when cores are short, the GUI thread (and gRPC's)
        // should win. A slower decoder only slows the service (flow control).
        setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), kNice);
#endif
        for (;;) {
            Item item;
            {
                std::unique_lock lock(m_mutex);
                m_work.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
                if (m_stopping)
                    return;
                item = std::move(m_queue.front());
                m_queue.pop_front();
            }
            m_space.notify_one();
            process(item);
            std::lock_guard lock(m_mutex);
            if (m_pool.size() < kMaxQueuedBatches + 2)
                m_pool.push_back(std::move(item.batch));
        }
    }

    void process(const Item &item);

    static constexpr int kNice = 5;

    std::shared_ptr<PostGuard> m_guard;
    LatencyStream *m_owner; // only dereferenced in posts, which die with the owner
    std::mutex m_mutex;
    std::condition_variable m_work;
    std::condition_variable m_space;
    std::deque<Item> m_queue;
    std::vector<std::unique_ptr<v1::StreamLatencyResponse>> m_pool;
    bool m_stopping = false;
    std::thread m_thread; // last: starts once everything above exists
};

void LatencyStream::Pipeline::process(const Item &item)
{
    Shared &sh = *item.run;
    const v1::StreamLatencyResponse &r = *item.batch;
    auto &dec = sh.decoder;
    const bool wantRoutes = sh.wantRoutePoints.load(std::memory_order_relaxed);
    dec.setRoutePointsEnabled(wantRoutes);
    const LatencyBatchDecoder::Result res = dec.ingest(r, clock::nowMs());
    if (sh.completeFromMs < 0 && res.samples > 0) {
        const qint64 firstUs =
            SampleColumns::toMicros(r.base_time().seconds(), r.base_time().nanos()) +
            r.offset_micros(0);
        sh.completeFromMs = (firstUs / 1000 + 999) / 1000 * 1000; // next whole second
    }
    std::vector<SeriesSecond> seconds = dec.series().takeClosed();
    std::erase_if(seconds, [&](const SeriesSecond &s) { return s.secondMs < sh.completeFromMs; });
    std::vector<RoutePoint> closed;
    if (wantRoutes) {
        closed = dec.routeAggregator().takeClosed();
        std::erase_if(closed,
                      [&](const RoutePoint &p) { return p.point.secondMs < sh.completeFromMs; });
    }
    bool ready = false;
    {
        std::lock_guard lock(sh.mutex);
        ++sh.stats.batches;
        if (res.malformed)
            ++sh.stats.malformed;
        sh.stats.samples += quint64(res.samples);
        sh.stats.rejects = dec.series().rejects();
        if (res.newRoutes)
            sh.routes = dec.routeNames();
        // A GUI that stops draining loses the oldest points, never memory.
        sh.pending.insert(sh.pending.end(), closed.begin(), closed.end());
        if (sh.pending.size() > Shared::kMaxPending)
            sh.pending.erase(sh.pending.begin(),
                             sh.pending.begin() +
                                 std::ptrdiff_t(sh.pending.size() - Shared::kMaxPending));
        if (!seconds.empty()) {
            if (sh.pendingSeries.empty())
                sh.pendingSeries.swap(seconds);
            else
                sh.pendingSeries.insert(sh.pendingSeries.end(),
                                        std::make_move_iterator(seconds.begin()),
                                        std::make_move_iterator(seconds.end()));
            if (sh.pendingSeries.size() > Shared::kMaxPendingSeconds) {
                const std::size_t drop = sh.pendingSeries.size() - Shared::kMaxPendingSeconds;
                sh.pendingSeries.erase(sh.pendingSeries.begin(),
                                       sh.pendingSeries.begin() + std::ptrdiff_t(drop));
                sh.stats.droppedSeconds += drop;
            }
        }
        ready = !sh.pending.empty() || !sh.pendingSeries.empty();
    }
    if (ready && !sh.drainPosted.exchange(true)) {
        auto *owner = m_owner;
        const quint64 gen = item.generation;
        m_guard->post([owner, gen] {
            if (gen == owner->m_generation)
                owner->drain();
        });
    }
}

class LatencyStream::Reactor : public detail::StreamReactor<v1::StreamLatencyResponse>
{
public:
    Reactor(std::shared_ptr<Shared> shared, std::shared_ptr<Pipeline> pipeline,
            std::shared_ptr<PostGuard> guard, std::shared_ptr<detail::ActiveCall> active,
            std::shared_ptr<grpc::Channel> channel, v1::StreamLatencyRequest request,
            quint64 generation, LatencyStream *owner)
        : StreamReactor(std::move(active),
                        [guard, owner, generation](const RpcError &err) {
                            guard->post(
                                [owner, err, generation] { owner->onCallDone(err, generation); });
                        }),
          m_shared(std::move(shared)), m_pipeline(std::move(pipeline)), m_guard(std::move(guard)),
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
    void onMessage(const v1::StreamLatencyResponse &r) override
    {
        auto &sh = *m_shared;
        auto &dec = sh.decoder;
        bool notifyStreaming = false;
        QString gapWhy;
        if (!m_first) {
            m_first = true;
            notifyStreaming = true;
            const bool askedResume = m_request.resume_after_sequence() > 0;
            if (askedResume && (!r.resumed() || r.stream_epoch() != dec.epoch())) {
                gapWhy = r.stream_epoch() != dec.epoch()
                             ? QStringLiteral("the service restarted; samples in between "
                                              "are lost")
                             : QStringLiteral("the service no longer had every batch "
                                              "since the disconnect");
            }
        }
        const LatencyBatchDecoder::Admission adm = dec.admit(r);
        {
            std::lock_guard lock(sh.mutex);
            if (!gapWhy.isEmpty())
                ++sh.stats.gaps;
            if (adm.duplicate)
                ++sh.stats.duplicates;
            sh.stats.lastSequence = dec.lastSequence();
        }
        if (notifyStreaming || !gapWhy.isEmpty()) {
            auto *owner = m_owner;
            const quint64 gen = m_generation;
            m_guard->post([owner, gen, gapWhy] {
                if (gen != owner->m_generation)
                    return;
                owner->m_backoff.reset();
                owner->setState(State::Streaming, QString());
                // The service answers: a connection still waiting out its
                // backoff (after a long outage, several seconds) would keep
                // saying "retrying in N s" over live data. Check it now.
                if (!owner->m_connection->isReady())
                    owner->m_connection->retryNow();
                if (!gapWhy.isEmpty())
                    emit owner->gapDetected(gapWhy);
            });
        }
        if (adm.duplicate)
            return;
        // The base re-arms its read into `r` as soon as we return, and a parse
        // starts by clearing it: taking its contents (a pointer swap) instead
        // of copying 50k samples is safe.
        auto batch = m_pipeline->spare();
        batch->Swap(const_cast<v1::StreamLatencyResponse *>(&r));
        m_pipeline->push({m_shared, std::move(batch), m_generation});
    }

private:
    std::shared_ptr<Shared> m_shared;
    std::shared_ptr<Pipeline> m_pipeline;
    std::shared_ptr<PostGuard> m_guard;
    std::unique_ptr<v1::TelemetryService::Stub> m_stub;
    v1::StreamLatencyRequest m_request;
    quint64 m_generation;
    LatencyStream *m_owner; // only dereferenced in posts, which die with the owner
    bool m_first = false;
};

LatencyStream::LatencyStream(Connection *connection, QObject *parent)
    : QObject(parent), m_connection(connection), m_guard(std::make_shared<PostGuard>(this)),
      m_active(std::make_shared<detail::ActiveCall>()),
      m_interner(std::make_shared<SeriesInterner>()),
      m_pipeline(std::make_shared<Pipeline>(m_guard, this))
{
    m_shared = std::make_shared<Shared>(m_interner);
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &LatencyStream::startCall);
    m_drainTimer.setSingleShot(true);
    connect(&m_drainTimer, &QTimer::timeout, this, &LatencyStream::drainNow);
}

LatencyStream::~LatencyStream()
{
    m_guard->detach();
    m_active->cancel();
    m_pipeline->stop(); // a reactor still running only finds it stopped
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

std::optional<SeriesKey> LatencyStream::seriesKey(SeriesId id) const
{
    return m_interner->key(id);
}

void LatencyStream::start(const QStringList &routes)
{
    if (m_running)
        stop();
    m_routes = routes;
    m_running = true;
    m_backoff.reset();
    ++m_generation;
    m_shared = std::make_shared<Shared>(m_interner); // a new run resumes nothing of the last
    m_shared->wantRoutePoints.store(
        isSignalConnected(QMetaMethod::fromSignal(&LatencyStream::pointsReady)));
    m_drainTimer.stop();
    startCall();
}

void LatencyStream::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_retryTimer.stop();
    m_drainTimer.stop();
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
    const auto &decoder = m_shared->decoder;
    if (decoder.lastSequence() > 0) {
        req.set_resume_after_sequence(decoder.lastSequence());
        req.set_stream_epoch(decoder.epoch());
    } else {
        // A fresh run: recent seconds first, so complete ones show at once.
        // Not on a resume: one the service honours ignores it, and after a
        // restart the backfill would land mostly in seconds this run has
        // already closed (counted as late samples, a warning).
        req.set_backfill_seconds(kBackfillSeconds);
    }
    auto *reactor = new Reactor(m_shared, m_pipeline, m_guard, m_active, channel, std::move(req),
                                m_generation, this);
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
    // Coalesce: at most kMaxDrainsPerSecond updates reach the GUI. While we
    // wait, drainPosted stays set, so the reactor posts nothing more.
    constexpr qint64 kMinGapMs = 1000 / kMaxDrainsPerSecond;
    if (m_lastDrain.isValid() && m_lastDrain.elapsed() < kMinGapMs) {
        if (!m_drainTimer.isActive())
            m_drainTimer.start(int(kMinGapMs - m_lastDrain.elapsed()));
        return;
    }
    drainNow();
}

void LatencyStream::drainNow()
{
    m_lastDrain.start();
    m_shared->drainPosted.store(false);
    m_shared->wantRoutePoints.store(
        isSignalConnected(QMetaMethod::fromSignal(&LatencyStream::pointsReady)));
    std::vector<RoutePoint> points;
    SeriesUpdate update;
    {
        std::lock_guard lock(m_shared->mutex);
        points.swap(m_shared->pending);
        update.seconds.swap(m_shared->pendingSeries);
        update.rejects = m_shared->stats.rejects;
        update.droppedSeconds = m_shared->stats.droppedSeconds;
    }
    // Every id in these seconds was interned before they were queued.
    const auto known = SeriesId(m_interner->size());
    for (SeriesId id = m_reportedSeries; id < known; ++id) {
        if (auto key = m_interner->key(id))
            update.newSeries.emplace_back(id, *key);
    }
    m_reportedSeries = known;
    if (!points.empty())
        emit pointsReady(points);
    if (!update.seconds.empty() || !update.newSeries.empty())
        emit seriesPointsReady(update);
}

void LatencyStream::setState(State s, const QString &detail)
{
    if (s == m_state && detail.isEmpty())
        return;
    m_state = s;
    emit stateChanged(s, detail);
}

} // namespace sb
