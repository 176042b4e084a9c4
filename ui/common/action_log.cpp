// Known gap: until the store's local action table lands, actions are kept in
// memory for this run and recorded() follows at once.
#include "ui/common/action_log.h"

#include "ui/session.h"

#include <QTimer>

namespace sb {

ActionLog::ActionLog(Session *session, QObject *parent) : QObject(parent), m_session(session)
{
    connect(session, &Session::endpointChanged, this, [this] {
        m_actions.clear();
        emit changed();
    });
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
    const QString id = action.requestId;
    QTimer::singleShot(0, this, [this, id] { emit recorded(id, true, QString()); });
}

} // namespace sb
