#pragma once

// ResultsController: the live results of the selected experiment, without
// widgets. Watches the experiment's results (WatchResults, 1 s), turns every
// snapshot into an Analysis (core/experiment_analysis.h: intervals, the
// always-valid decision, guardrails, the split check), keeps a bounded
// history of snapshots for the charts, and ranks this console's arena votes
// with Bradley-Terry. The GUI thread only gets one snapshot at a time (the
// watch coalesces); the analysis of one snapshot takes well under a
// millisecond.
//
// Freshness: live while snapshots flow; after a disconnect the last numbers
// stay on screen marked stale with their age, and the history restarts on
// reconnect rather than joining across the gap.

#include "core/arena_run.h"
#include "core/experiment_analysis.h"
#include "ui/experiments/results_model.h"
#include "ui/session.h"

#include <QHash>
#include <QObject>
#include <deque>

namespace sb {

class ResultsWatch;

// One snapshot's figures per variant, for the over-time charts.
struct ResultsPoint
{
    qint64 timeMs = 0;
    std::vector<quint64> exposures; // in the experiment's variant order
    std::vector<quint64> successes;
};

// Bradley-Terry from this console's votes.
struct VoteRanking
{
    int votes = 0; // voted runs counted
    QStringList variantIds;
    QStringList names;
    stats::BradleyTerry model;
};

class ResultsController : public QObject
{
    Q_OBJECT
public:
    static constexpr std::size_t kHistoryPoints = 3600; // an hour at 1 s

    ResultsController(Session *session, QObject *parent = nullptr);

    // The experiment to watch (an empty id stops watching).
    void setExperiment(const Experiment &experiment);
    const Experiment &experiment() const { return m_experiment; }
    // Feeds a snapshot as if it came from the watch (tests, replays).
    void applyResults(const ExperimentResults &results);

    const Analysis &analysis() const { return m_analysis; }
    const ExperimentResults &results() const { return m_results; }
    bool hasResults() const { return m_hasResults; }
    const std::deque<ResultsPoint> &history() const { return m_history; }
    ResultsModel *model() { return &m_model; }
    const AnalysisSettings &settings() const { return m_settings; }
    // The minimum effect worth detecting on the primary metric (0 = its default).
    void setMinimumEffect(double effect);
    double minimumEffect() const;

    void setVotes(const std::vector<ArenaRun> &runs);
    const VoteRanking &ranking() const { return m_ranking; }

    Freshness freshness() const;
    bool isWatching() const;

signals:
    void analysisChanged();
    void rankingChanged();
    void freshnessChanged();

private:
    void restartWatch();
    void analyse();

    Session *m_session;
    ResultsWatch *m_watch;
    Experiment m_experiment;
    ExperimentResults m_results;
    bool m_hasResults = false;
    Analysis m_analysis;
    AnalysisSettings m_settings;
    QHash<QString, double> m_minimumEffect; // per experiment id
    std::deque<ResultsPoint> m_history;
    std::vector<ArenaRun> m_votes;
    VoteRanking m_ranking;
    ResultsModel m_model;
    Freshness m_fresh;
};

} // namespace sb
