#include "ui/experiments/experiments_controller.h"

#include "client/experiments_client.h"
#include "store/cache.h"

#include <QDateTime>

namespace sb {

ExperimentsController::ExperimentsController(Session *session, QObject *parent)
    : QObject(parent), m_session(session),
      m_client(new ExperimentsClient(session->connection(), this))
{
    connect(m_client, &ExperimentsClient::experimentsListed, this,
            [this](const std::vector<Experiment> &experiments) {
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                m_model.setExperiments(experiments);
                m_fresh = {now, true};
                if (auto *cache = m_session->cache())
                    cache->saveExperiments(m_session->endpointKey(), experiments, now);
                emit freshnessChanged();
            });
    connect(m_client, &ExperimentsClient::failed, m_session, &Session::reportFailure);
    connect(m_session, &Session::snapshotLoaded, this, [this](const CacheSnapshot &s) {
        if (m_fresh.live || s.experimentsFetchedMs <= 0)
            return;
        m_model.setExperiments(s.experiments);
        m_fresh.fetchedMs = s.experimentsFetchedMs;
        emit freshnessChanged();
    });
    connect(m_session, &Session::connected, this, &ExperimentsController::refresh);
    connect(m_session, &Session::endpointChanged, this, [this] {
        m_fresh = {};
        m_model.setExperiments({});
    });
    m_timer.setInterval(kRefreshMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (m_session->isReady())
            refresh();
    });
    m_timer.start();
}

void ExperimentsController::refresh()
{
    m_client->listExperiments();
}

Freshness ExperimentsController::freshness() const
{
    return {m_fresh.fetchedMs, m_fresh.live && m_session->isReady()};
}

} // namespace sb
