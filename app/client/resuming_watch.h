#pragma once

// ResumingWatch: what the client layer's resuming watches (PromptsWatch,
// RoutingWatch) share. start() opens the stream; a dropped stream opens again
// after a backoff with jitter, reset once the service answers; `finished`
// fires once per start(), after stop() or when the service refuses for good.
// Each call carries a generation: whatever a cancelled or replaced call still
// delivers is dropped. Subclasses only issue the call and turn its messages
// into signals (through WatchLink, client/watch_link.h).

#include "client/rpc_error.h"
#include "core/backoff.h"

#include <QObject>
#include <QTimer>
#include <memory>

namespace grpc {
class Channel;
}

namespace sb {

class Connection;
class PostGuard;
struct WatchLink;
namespace detail {
struct ActiveCall;
}

class ResumingWatch : public QObject
{
    Q_OBJECT
public:
    ~ResumingWatch() override;

    void start();
    void stop();
    bool isWatching() const { return m_watching; }

signals:
    void finished(const sb::RpcError &status);

protected:
    ResumingWatch(Connection *connection, QObject *parent);

    // Issues one call on `channel` and hands its reactor `link` (on the GUI
    // thread; the reactor then reports on gRPC threads through the link).
    virtual void startReactor(const std::shared_ptr<grpc::Channel> &channel,
                              const WatchLink &link) = 0;

    Connection *connection() const { return m_connection; }

private:
    friend struct WatchLink;
    void startCall();
    void onCallDone(const RpcError &error, quint64 generation);
    void onAnswered(); // the service is there: watching, backoff reset

    Connection *m_connection;
    std::shared_ptr<PostGuard> m_guard;
    std::shared_ptr<detail::ActiveCall> m_active; // the call in flight, for stop()
    Backoff m_backoff;
    QTimer m_retryTimer;
    bool m_running = false;
    bool m_watching = false;
    quint64 m_generation = 0;
};

} // namespace sb
