#pragma once

// PromptsWatch: PromptService.WatchPrompts, so another person's new version
// or label move shows within a second instead of at the next poll. The
// contract sends no snapshot, so `started` says when the stream is open
// (the service has sent its headers): the owner re-reads then, which covers
// whatever happened while it was not watching, after a reconnect too. A
// dropped stream reconnects with backoff and jitter; `finished` fires once
// per start(), after stop() or when the service refuses for good.

#include "client/resuming_watch.h"
#include "core/types.h"

#include <QMetaType>

namespace sb {

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

class PromptsWatch : public ResumingWatch
{
    Q_OBJECT
public:
    explicit PromptsWatch(Connection *connection, QObject *parent = nullptr);

signals:
    void started();
    void eventReceived(const sb::PromptEvent &event);

private:
    class Reactor;
    void startReactor(const std::shared_ptr<grpc::Channel> &channel,
                      const WatchLink &link) override;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::PromptEvent)
