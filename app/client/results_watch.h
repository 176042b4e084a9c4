#pragma once

// ResultsWatch: ExperimentService.WatchResults for one experiment at a time.
// Each message is the whole cumulative result set, so only the latest one
// matters: the reactor keeps the newest in a slot and the GUI thread is told
// at most once until it has taken it (however fast the service sends, one
// snapshot waits, never a queue). A dropped stream reconnects with backoff
// and jitter (the next snapshot makes up for what was missed); `finished`
// fires once per start(), after stop() or when the service refuses for good
// (unknown experiment, permission, bad interval).

#include "client/rpc_error.h"
#include "core/backoff.h"
#include "core/experiment_results.h"

#include <QObject>
#include <QTimer>
#include <chrono>
#include <memory>

namespace sb {

class Connection;
class PostGuard;
namespace detail {
struct ActiveCall;
}

class ResultsWatch : public QObject
{
    Q_OBJECT
public:
    explicit ResultsWatch(Connection *connection, QObject *parent = nullptr);
    ~ResultsWatch() override;

    void start(const QString &experimentId,
               std::chrono::milliseconds interval = std::chrono::milliseconds(1000));
    void stop();
    bool isRunning() const { return m_running; }
    bool isWatching() const { return m_watching; } // a snapshot arrived since the last (re)connect
    QString experimentId() const { return m_experimentId; }

signals:
    void resultsReceived(const sb::ExperimentResults &results);
    // Watching (snapshots flow) or not (connecting, lost, retrying), with why.
    void watchingChanged(bool watching, const QString &detail);
    void finished(const sb::RpcError &status);

private:
    struct Slot;
    class Reactor;
    void startCall();
    void onCallDone(const RpcError &error, quint64 generation);
    void take(quint64 generation, const std::shared_ptr<Slot> &slot);
    void setWatching(bool watching, const QString &detail);

    Connection *m_connection;
    std::shared_ptr<PostGuard> m_guard;
    std::shared_ptr<detail::ActiveCall> m_active;
    std::shared_ptr<Slot> m_slot;
    QString m_experimentId;
    std::chrono::milliseconds m_interval{1000};
    Backoff m_backoff;
    QTimer m_retryTimer;
    bool m_running = false;
    bool m_watching = false;
    quint64 m_generation = 0;
};

} // namespace sb
