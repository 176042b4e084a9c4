#pragma once

// PromptsWatch: PromptService.WatchPrompts, so another person's new version
// or label move shows within a second instead of at the next poll. The
// contract sends no snapshot, so `started` says when the stream is open
// (the service has sent its headers): the owner re-reads then, which covers
// whatever happened while it was not watching, after a reconnect too. A
// dropped stream reconnects with backoff and jitter; `finished` fires once
// per start(), after stop() or when the service refuses for good.

#include "client/rpc_error.h"
#include "core/backoff.h"
#include "core/types.h"

#include <QMetaType>
#include <QObject>
#include <QTimer>
#include <memory>

namespace sb {

class Connection;
class PostGuard;
namespace detail {
struct ActiveCall;
}

struct PromptEvent
{
    enum class Kind
    {
        VersionCreated,
        LabelMoved
    };
    Kind kind = Kind::VersionCreated;
    Prompt prompt;         // after the event
    PromptVersion version; // VersionCreated
    QString label;         // LabelMoved
    quint32 previousVersion = 0;
    QString actor;
    qint64 timeMs = 0;
};

class PromptsWatch : public QObject
{
    Q_OBJECT
public:
    explicit PromptsWatch(Connection *connection, QObject *parent = nullptr);
    ~PromptsWatch() override;

    void start();
    void stop();
    bool isWatching() const { return m_watching; }

signals:
    void started();
    void eventReceived(const sb::PromptEvent &event);
    void finished(const sb::RpcError &status);

private:
    class Reactor;
    void startCall();
    void onCallDone(const RpcError &error, quint64 generation);

    Connection *m_connection;
    std::shared_ptr<PostGuard> m_guard;
    std::shared_ptr<detail::ActiveCall> m_active;
    Backoff m_backoff;
    QTimer m_retryTimer;
    bool m_running = false;
    bool m_watching = false;
    quint64 m_generation = 0;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::PromptEvent)
