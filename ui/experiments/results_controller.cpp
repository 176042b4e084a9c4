#include "ui/experiments/results_controller.h"

#include "client/results_watch.h"
#include "core/clock.h"

#include <QDateTime>

namespace sb {

ResultsController::ResultsController(Session *session, QObject *parent)
    : QObject(parent), m_session(session), m_watch(new ResultsWatch(session->connection(), this))
{
    connect(m_watch, &ResultsWatch::resultsReceived, this, &ResultsController::applyResults);
    connect(m_watch, &ResultsWatch::watchingChanged, this, [this](bool watching, const QString &) {
        if (!watching)
            emit freshnessChanged();
    });
    connect(m_watch, &ResultsWatch::finished, this, [this](const RpcError &e) {
        if (!e.ok() && e.code != RpcCode::Cancelled)
            m_session->reportFailure(tr("watch results"), e);
        emit freshnessChanged();
    });
    connect(m_session, &Session::connected, this, &ResultsController::restartWatch);
    connect(m_session, &Session::disconnected, this, [this] {
        // Numbers across a disconnect are not one live series: the charts
        // restart when the watch does.
        m_fresh.live = false;
        emit freshnessChanged();
    });
    connect(m_session, &Session::endpointChanged, this, [this] {
        m_watch->stop();
        m_experiment = {};
        m_results = {};
        m_hasResults = false;
        m_history.clear();
        m_fresh = {};
        m_analysis = {};
        m_model.setAnalysis(m_analysis);
        emit analysisChanged();
        emit freshnessChanged();
    });
}

void ResultsController::setExperiment(const Experiment &experiment)
{
    const bool same = experiment.id == m_experiment.id;
    m_experiment = experiment;
    if (same) {
        // New weights, state or guardrails of the same experiment: re-read.
        if (m_hasResults)
            analyse();
        return;
    }
    m_results = {};
    m_hasResults = false;
    m_history.clear();
    m_fresh = {};
    analyse();
    restartWatch();
    emit freshnessChanged();
}

void ResultsController::restartWatch()
{
    m_watch->stop();
    m_history.clear();
    if (m_experiment.id.isEmpty() || !m_session->isReady())
        return;
    m_watch->start(m_experiment.id, std::chrono::milliseconds(1000));
}

void ResultsController::applyResults(const ExperimentResults &results)
{
    if (results.experimentId != m_experiment.id)
        return;
    const bool first = !m_fresh.live;
    m_results = results;
    m_hasResults = true;
    m_fresh = {clock::nowMs(), true};
    ResultsPoint p;
    p.timeMs = results.timeMs > 0 ? results.timeMs : m_fresh.fetchedMs;
    for (const auto &v : m_experiment.variants) {
        const VariantResults *r = results.variant(v.id);
        p.exposures.push_back(r ? r->exposures : 0);
        p.successes.push_back(r ? r->successes : 0);
    }
    // Cumulative counts only grow; a drop means the service restarted.
    if (!m_history.empty() && !p.exposures.empty() &&
        p.exposures.front() < m_history.back().exposures.front())
        m_history.clear();
    m_history.push_back(std::move(p));
    while (m_history.size() > kHistoryPoints)
        m_history.pop_front();
    analyse();
    if (first)
        emit freshnessChanged();
}

void ResultsController::analyse()
{
    m_settings.minimumEffect = minimumEffect();
    m_analysis = analyzeExperiment(m_experiment, m_results, m_settings);
    m_model.setAnalysis(m_analysis);
    emit analysisChanged();
}

void ResultsController::setMinimumEffect(double effect)
{
    if (m_experiment.id.isEmpty())
        return;
    m_minimumEffect.insert(m_experiment.id, effect);
    analyse();
}

double ResultsController::minimumEffect() const
{
    return m_minimumEffect.value(m_experiment.id, 0.0);
}

void ResultsController::setVotes(const std::vector<ArenaRun> &runs)
{
    m_votes = runs;
    VoteRanking r;
    for (const auto &v : m_experiment.variants) {
        r.variantIds << v.id;
        r.names << (v.name.isEmpty() ? v.id : v.name);
    }
    std::vector<ArenaRun> mine;
    for (const auto &run : runs) {
        if (run.experimentId != m_experiment.id)
            continue;
        mine.push_back(run);
        if (run.vote == ArenaVote::Prefer || run.vote == ArenaVote::Tie)
            ++r.votes;
    }
    const int reference = int(r.variantIds.indexOf(QStringLiteral("control")));
    r.model = stats::bradleyTerry(int(r.variantIds.size()), pairOutcomes(mine, r.variantIds),
                                  reference < 0 ? 0 : reference);
    m_ranking = std::move(r);
    emit rankingChanged();
}

Freshness ResultsController::freshness() const
{
    return {m_fresh.fetchedMs, m_fresh.live && m_session->isReady() && m_watch->isRunning()};
}

bool ResultsController::isWatching() const
{
    return m_watch->isWatching();
}

} // namespace sb
