#include "ui/common/action_log.h"

#include "store/cache.h"
#include "ui/session.h"

#include <QTimer>

namespace sb {

ActionLog::ActionLog(Session *session, QObject *parent) : QObject(parent), m_session(session)
{
    connect(session, &Session::endpointChanged, this, [this] {
        m_actions.clear();
        emit changed();
        if (auto *cache = m_session->cache())
            cache->loadActions(m_session->endpointKey());
    });
    if (auto *cache = session->cache()) {
        connect(cache, &Cache::actionsLoaded, this,
                [this](const QString &endpoint, const std::vector<LocalAction> &actions) {
                    if (endpoint != m_session->endpointKey())
                        return;
                    for (auto it = actions.rbegin(); it != actions.rend(); ++it)
                        upsert(*it);
                });
        connect(cache, &Cache::actionRecorded, this,
                [this](const QString &endpoint, const QString &requestId, bool ok,
                       const QString &error) {
                    if (endpoint == m_endpointOf.value(requestId))
                        emit recorded(requestId, ok, error);
                    m_endpointOf.remove(requestId);
                });
    }
}

void ActionLog::upsert(const LocalAction &a)
{
    for (auto &old : m_actions) {
        if (old.requestId == a.requestId) {
            old = a;
            emit changed();
            return;
        }
    }
    m_actions.insert(m_actions.begin(), a);
    emit changed();
}

void ActionLog::record(const LocalAction &action)
{
    upsert(action);
    emit actionRecording(action);
    auto *cache = m_session->cache();
    if (!cache) {
        // No cache (disabled by the user or refused): nothing to wait for,
        // and the caller is told the change is not kept locally.
        const QString id = action.requestId;
        QTimer::singleShot(0, this, [this, id] {
            emit recorded(id, false, tr("no local cache: the action is not kept on disk"));
        });
        return;
    }
    m_endpointOf.insert(action.requestId, m_session->endpointKey());
    cache->recordAction(m_session->endpointKey(), action);
}

} // namespace sb
