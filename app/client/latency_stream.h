#pragma once

// LatencyStream: the live latency feed (TelemetryService.StreamLatency).
//
// Batches are decoded and aggregated into per-route per-second points on
// gRPC's threads; the GUI thread is only told that points are waiting (one
// notification at a time) and drains them in one go. However fast the
// service sends, what waits for the GUI is bounded by the seconds still open,
// and gRPC flow control slows the service if we fall behind (backpressure).
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

#include <QObject>
#include <QStringList>
#include <QTimer>
#include <memory>
#include <vector>

namespace sb {

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
    };

    explicit LatencyStream(Connection *connection, QObject *parent = nullptr);
    ~LatencyStream() override;

    void start(const QStringList &routes = {});
    void stop();

    State state() const { return m_state; }
    Stats stats() const;
    // Routes seen so far, from the service's dictionary.
    QStringList routes() const;

signals:
    void pointsReady(const std::vector<sb::RoutePoint> &points);
    void stateChanged(sb::LatencyStream::State state, const QString &detail);
    void gapDetected(const QString &why);
    void finished(const sb::RpcError &status);

private:
    struct Shared;
    class Reactor;
    void startCall();
    void onCallDone(const RpcError &error, quint64 generation);
    void drain();
    void setState(State s, const QString &detail);

    Connection *m_connection;
    std::shared_ptr<class PostGuard> m_guard;
    std::shared_ptr<detail::ActiveCall> m_active;
    std::shared_ptr<Shared> m_shared;
    QStringList m_routes;
    Backoff m_backoff;
    QTimer m_retryTimer;
    State m_state = State::Stopped;
    bool m_running = false;
    quint64 m_generation = 0;
};

} // namespace sb
