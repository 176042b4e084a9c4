#pragma once

// ArenaController: the arena without widgets. Runs one input (with variable
// values) through the selected experiment's variants (Compare), keeps each
// column's text and live figures (time to first token as this console saw
// it, elapsed time, tokens, an estimated cost until the service's exact one
// arrives), shuffles and labels the columns A/B/C/D in blind mode until the
// vote, turns the vote into the contract's feedback (and keeps it in the
// cache with whether it reached the service), and lists earlier runs from
// the cache, which can be shown again offline or run again.
//
// Tokens reach the GUI thread already batched by CompareStream; this
// controller adds a second bound: what it tells the page is coalesced to at
// most one update per 33 ms (~30 a second; the first token after a quiet
// spell shows at once), and the page takes only the text added since its
// last update.

#include "core/arena_run.h"
#include "ui/experiments/arena_history_model.h"
#include "ui/session.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <vector>

namespace sb {

class CompareStream;
class ExperimentsClient;

class ArenaController : public QObject
{
    Q_OBJECT
public:
    static constexpr int kFlushMs = 33;
    static constexpr int kMaxColumns = 4;

    ArenaController(Session *session, ExperimentsClient *client, QObject *parent = nullptr);

    void setExperiment(const Experiment &experiment);
    const Experiment &experiment() const { return m_experiment; }
    // Variables the variants' prompt versions declare (names unique).
    void setVariables(const std::vector<PromptVariable> &variables);
    const std::vector<PromptVariable> &variables() const { return m_variables; }
    // Model prices (USD per 1,000 input and output tokens) for the live estimate.
    void setModels(const std::vector<Model> &models);

    // "" when a run can start; else why not (offline, viewer, nothing selected).
    QString runBlockedReason() const;
    // Starts a run of the whole experiment (at most kMaxColumns variants shown).
    bool run(const QString &input, const QMap<QString, QString> &variables, bool blind);
    void cancel();
    bool isRunning() const { return m_running; }

    // The run on screen: the live one, or one replayed from history.
    const ArenaRun &current() const { return m_run; }
    bool hasRun() const { return !m_run.requestId.isEmpty(); }
    bool isReplay() const { return m_replay; }
    // Blind columns show their variant only once the run is voted on.
    bool namesShown() const { return !m_run.blind || m_run.vote != ArenaVote::None; }
    // "A" while blind, else the variant's name.
    QString columnTitle(int column) const;
    // "TTFT 412 ms · 3.1 s · 87 tokens · $0.0021" (≈ while estimated).
    QString columnFigures(int column) const;
    // Text added to a column since the last take (the page appends it).
    QString takeNewText(int column);
    // Steady-clock µs of the oldest token of a column not yet taken with its
    // text (0 if none); call before takeNewText.
    qint64 takeOldestArrivalUs(int column);

    QString voteBlockedReason() const;
    void vote(ArenaVote vote, const QString &preferredVariantId, const QStringList &hallucinated);

    ArenaHistoryModel *history() { return &m_history; }
    void replay(const QString &requestId);

signals:
    void runStarted();     // columns changed: re-create them
    void outputsUpdated(); // new text or figures (at most ~30 a second)
    void runFinished(const sb::RpcError &status);
    void voted();
    void historyLoaded(const std::vector<sb::ArenaRun> &runs); // for the vote ranking
    void message(const QString &text);
    void variablesChanged();

private:
    struct Live
    {
        qint64 firstUs = 0;
        qint64 lastUs = 0;
        int tokens = 0;
        QString pending;
        qint64 oldestPendingUs = 0;
    };
    void onDeltas(const std::vector<TokenDelta> &deltas);
    void onVariantFinished(const VariantSummary &summary);
    void onFinished(const RpcError &status);
    void feedbackAnswered(const Feedback &feedback);
    void flush();
    void scheduleFlush();
    void save();
    int column(const QString &variantId) const;
    void loadHistory();

    Session *m_session;
    ExperimentsClient *m_client;
    CompareStream *m_compare;
    Experiment m_experiment;
    std::vector<PromptVariable> m_variables;
    QHash<QString, std::pair<double, double>> m_prices; // model -> (in, out) per 1k
    ArenaRun m_run;
    std::vector<Live> m_live;
    qint64 m_startUs = 0;
    bool m_running = false;
    bool m_replay = false;
    bool m_dirty = false;
    QTimer m_flush;
    QElapsedTimer m_lastFlush;
    ArenaHistoryModel m_history;
    QHash<QString, int> m_feedbackPending; // run request id -> answers still expected
    QHash<QString, QStringList> m_feedbackErrors;
};

} // namespace sb
