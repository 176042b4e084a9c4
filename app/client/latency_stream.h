#pragma once

// LatencyStream: the live latency feed (TelemetryService.StreamLatency).
//
// Batches are parsed on gRPC's threads and handed (moved, not copied) to the
// stream's own decode thread, which validates them (bad samples counted in
// Stats::rejects, never plotted) and aggregates them into one SeriesSecond per
// (route, model, variant) series per second: ids are interned once per new
// combination, so no sample carries a string. Parsing the next batch thus
// overlaps aggregating this one. At most kMaxQueuedBatches wait for the
// decode thread; when they do, the gRPC thread waits for room (bounded: the
// decode thread depends on nothing but a short lock), which stops reading
// and lets gRPC flow control slow the service. The GUI thread is only told
// that seconds are waiting (one notification at a time) and drains them in
// one go, at most ~30 times a second (seriesPointsReady). What waits for the
// GUI is bounded (the oldest seconds are dropped and counted if it stops
// draining), and gRPC flow control slows the service if the decoder falls
// behind (backpressure).
//
// pointsReady (one point per route per second, the older per-route view) is
// still produced, by a second aggregation that runs only while something is
// connected to it; it keeps its old behaviour of charting unknown ids as
// "route#N" and counting invalid samples as traffic. Once the UI uses series,
// nothing connects to it and it costs nothing.
//
// A dropped stream reconnects with exponential backoff and jitter and asks to
// resume after the last batch it processed, so nothing is lost or counted
// twice; a gap the service cannot fill is reported. `finished` fires exactly
// once per start(): after stop(), or when the service refuses for good
// (wrong token, permission, invalid request). Destroying a running stream
// ends it without `finished` (nobody is left to hear it).

#include "client/rpc_error.h"
#include "core/backoff.h"
#include "core/latency_aggregator.h"
#include "core/series.h"
#include "core/series_ingest.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::v1 {
class StreamLatencyResponse;
}

namespace sb {

// What the stream does with each batch, on its own, in two halves that the
// stream runs on two threads: admit() is the sequence side (epoch, resume
// point, duplicates; reads only the header) and runs as each batch arrives;
// ingest() is the content side (dictionary, column checks, validation,
// aggregation into series, and into per-route points when asked) and runs on
// the stream's decode thread for every admitted batch, in order. The halves
// share no state. decode() is both, as one caller would; public so the fuzz
// target and the benchmarks drive exactly the stream's code.
class LatencyBatchDecoder
{
public:
    struct Admission
    {
        bool duplicate = false; // sequence already admitted: drop the batch
        bool epochChanged = false;
    };
    struct Result
    {
        std::size_t samples = 0;  // in the batch (after trimming ragged columns)
        std::size_t accepted = 0; // of which reached a series
        bool duplicate = false;   // (decode() only) not ingested
        bool malformed = false;   // ragged columns, trimmed to the shortest
        bool newRoutes = false;
    };

    explicit LatencyBatchDecoder(std::shared_ptr<SeriesInterner> interner,
                                 SampleLimits limits = {});

    Admission admit(const switchboard::v1::StreamLatencyResponse &batch);
    Result ingest(const switchboard::v1::StreamLatencyResponse &batch, qint64 nowMs);
    Result decode(const switchboard::v1::StreamLatencyResponse &batch, qint64 nowMs);
    // The serialized form (what the fuzzer feeds); nullopt when it does not parse.
    std::optional<Result> decode(const char *data, std::size_t size, qint64 nowMs);

    // Sequence side.
    const std::string &epoch() const { return m_epoch; }
    quint64 lastSequence() const { return m_lastSequence; }

    // Content side.
    SeriesIngest &series() { return m_ingest; }
    // Per-route points of the older view; off until enabled.
    void setRoutePointsEnabled(bool on) { m_routePoints = on; }
    LatencyAggregator &routeAggregator() { return m_routeAggregator; }
    QStringList routeNames() const;

private:
    void ingestRoutePoints(const switchboard::v1::StreamLatencyResponse &r, int n);

    // Sequence side.
    std::string m_epoch;
    quint64 m_lastSequence = 0;
    // Content side.
    std::string m_contentEpoch;
    SeriesIngest m_ingest;
    LatencyAggregator m_routeAggregator{250};
    bool m_routePoints = false;
    QHash<quint32, QString> m_routeNames;
    // The per-route view's names by id (ids beyond kMaxDirectRouteId in a hash).
    static constexpr quint32 kMaxDirectRouteId = 4096;
    std::vector<QString> m_routeNameById;
    QHash<quint32, QString> m_routeNameFar;
};

class Connection;
namespace detail {
struct ActiveCall;
}

class LatencyStream : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Stopped,
        Connecting,
        Streaming,
        Reconnecting
    };
    Q_ENUM(State)

    struct Stats
    {
        quint64 batches = 0;
        quint64 samples = 0;
        quint64 duplicates = 0; // batches dropped because already processed
        quint64 malformed = 0;  // batches with inconsistent columns (trimmed)
        quint64 gaps = 0;
        quint64 reconnects = 0;
        quint64 lastSequence = 0;
        SampleRejects rejects;      // samples turned away (show a warning when non-zero)
        quint64 droppedSeconds = 0; // closed seconds lost because the GUI fell behind
    };

    explicit LatencyStream(Connection *connection, QObject *parent = nullptr);
    ~LatencyStream() override;

    void start(const QStringList &routes = {});
    void stop();

    State state() const { return m_state; }
    Stats stats() const;
    // Routes seen so far, from the service's dictionary.
    QStringList routes() const;
    // Names of series ids (stable for this object's lifetime, across runs).
    std::optional<SeriesKey> seriesKey(SeriesId id) const;
    // The interner behind those ids; other sources (OTLP, Prometheus) intern
    // their series here too, so one store holds every series under one id space.
    const std::shared_ptr<SeriesInterner> &interner() const { return m_interner; }

    // Most notifications per second the GUI gets.
    static constexpr int kMaxDrainsPerSecond = 30;
    // Parsed batches waiting for the decode thread, at most.
    static constexpr std::size_t kMaxQueuedBatches = 4;
    // Seconds of recent batches a fresh subscription asks the service to
    // send first (StreamLatencyRequest.backfill_seconds). The oldest of them
    // starts inside a second (partial, not shown) and the newest second is
    // still open, so 3 s leaves two complete seconds: the older closes at
    // once, the newer as soon as 250 ms of the current second have arrived.
    // The console thus shows live numbers right after connecting instead of
    // waiting ~1.25-2.25 s for a whole new second. A service that predates
    // the field just starts live, as before.
    static constexpr quint32 kBackfillSeconds = 3;

signals:
    void pointsReady(const std::vector<sb::RoutePoint> &points);
    // Closed seconds of every series since the previous update, coalesced.
    void seriesPointsReady(const sb::SeriesUpdate &update);
    void stateChanged(sb::LatencyStream::State state, const QString &detail);
    void gapDetected(const QString &why);
    void finished(const sb::RpcError &status);

private:
    struct Shared;
    struct Pipeline;
    class Reactor;
    void startCall();
    void onCallDone(const RpcError &error, quint64 generation);
    void drain();
    void drainNow();
    void setState(State s, const QString &detail);

    Connection *m_connection;
    std::shared_ptr<class PostGuard> m_guard;
    std::shared_ptr<detail::ActiveCall> m_active;
    std::shared_ptr<Shared> m_shared;
    std::shared_ptr<SeriesInterner> m_interner;
    std::shared_ptr<Pipeline> m_pipeline;
    SeriesId m_reportedSeries = 0; // ids below this were announced in an update
    QElapsedTimer m_lastDrain;
    QTimer m_drainTimer;
    QStringList m_routes;
    Backoff m_backoff;
    QTimer m_retryTimer;
    State m_state = State::Stopped;
    bool m_running = false;
    quint64 m_generation = 0;
};

} // namespace sb
