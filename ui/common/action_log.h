#pragma once

// ActionLog: the console's own changes for one session, kept in the cache's
// local action log. A controller reports a change as successful only after
// recorded() says the row is committed, so what the user was told happened
// is on disk even if the console is killed a moment later. Without a cache,
// recorded() reports ok = false with why.

#include "core/local_action.h"

#include <QHash>
#include <QObject>
#include <vector>

namespace sb {

class Session;

class ActionLog : public QObject
{
    Q_OBJECT
public:
    explicit ActionLog(Session *session, QObject *parent = nullptr);

    void record(const LocalAction &action);
    // This endpoint's actions, newest first (this run's and those loaded from the cache).
    const std::vector<LocalAction> &actions() const { return m_actions; }

signals:
    // ok = the row is committed; otherwise error says why (the change itself
    // already happened on the service).
    void recorded(const QString &requestId, bool ok, const QString &error);
    void changed();
    // record() was called (not for entries loaded from the cache): the
    // incident timeline's hook.
    void actionRecording(const sb::LocalAction &action);

private:
    void upsert(const LocalAction &a);

    Session *m_session;
    std::vector<LocalAction> m_actions;
    QHash<QString, QString> m_endpointOf; // request id -> endpoint, until recorded
};

} // namespace sb
