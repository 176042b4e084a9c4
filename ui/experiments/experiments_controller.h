#pragma once

// ExperimentsController: the Experiments capability without widgets. Owns
// the experiment list (its freshness and cache writes), the selection, and
// the write flow of every experiment change, shaped like routing's: build a
// Change (start, pause, stop, new weights, create), say what it does to
// traffic, send it with the etag the user saw, commit it to the local action
// log before reporting success, and on a conflict hand back the other
// person's change so the user decides again. The selected experiment's live
// results and its arena are ResultsController and ArenaController, owned
// here. Prompt versions (for the variables a run needs and the setup dialog)
// and the routing table (routes, models and their prices) are read-only
// inputs.

#include "client/rpc_error.h"
#include "core/change.h"
#include "ui/experiments/experiment_list_model.h"
#include "ui/session.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <optional>

namespace sb {

class ExperimentsClient;
class PromptsClient;
class ActionLog;
class ResultsController;
class ArenaController;
struct CacheSnapshot;

class ExperimentsController : public QObject
{
    Q_OBJECT
public:
    static constexpr int kRefreshMs = 30000;
    static constexpr int kMinVariants = 2;
    static constexpr int kMaxVariants = 4;

    // actions may be null (then writes report success without a local record).
    ExperimentsController(Session *session, ActionLog *actions, QObject *parent = nullptr);
    explicit ExperimentsController(Session *session, QObject *parent = nullptr)
        : ExperimentsController(session, nullptr, parent)
    {}

    ExperimentListModel *experiments() { return &m_model; }
    ResultsController *results() const { return m_results; }
    ArenaController *arena() const { return m_arena; }
    void refresh();
    Freshness freshness() const;

    // The experiment the results and arena are about.
    void select(const QString &experimentId);
    const Experiment *selected() const;
    const Experiment *experiment(const QString &id) const;

    // "" when changes can be made now; otherwise why not, for a tooltip.
    QString writeBlockedReason() const;
    // Start / pause / stop the selected experiment; nullopt (with why) when
    // the move is not allowed from its state.
    std::optional<Change> stateChangeFor(ExperimentState target, QString *why = nullptr) const;
    // New weights (in variant order) for the selected experiment.
    std::optional<Change> weightsChangeFor(const std::vector<quint32> &weights,
                                           QString *why = nullptr) const;
    // "" when the draft can be created; else the first problem, in words.
    QString validateDraft(const Experiment &draft) const;
    Change createChangeFor(const Experiment &draft) const;
    QString impactOf(const Change &change) const;
    std::optional<Change> rebase(const Change &change) const;
    QString describeConflict(const Change &change, const ConflictInfo &conflict) const;
    void submit(const Change &change);

    // Read-only inputs for the setup dialog and the arena.
    void setRoutingTable(const RoutingTable &table);
    QStringList routes() const;
    QStringList models() const;
    const std::vector<Prompt> &prompts() const { return m_prompts; }
    const std::vector<PromptVersion> &versions(const QString &prompt) const;
    void loadVersions(const QString &prompt);

signals:
    void freshnessChanged();
    void selectionChanged();
    void changeSucceeded(const sb::Change &change, const sb::Experiment &experiment);
    void changeConflicted(const sb::Change &change, const sb::ConflictInfo &conflict);
    void changeRejected(const sb::Change &change, const sb::RpcError &error);
    void promptsChanged();

private:
    void setExperiments(const std::vector<Experiment> &experiments);
    void upsert(const Experiment &experiment);
    void onApplied(const Change &change);
    void onFailed(const Change &change, const RpcError &error);
    void updateArenaVariables();

    Session *m_session;
    ActionLog *m_actions;
    ExperimentsClient *m_client;
    PromptsClient *m_promptsClient;
    ResultsController *m_results;
    ArenaController *m_arena;
    ExperimentListModel m_model;
    Freshness m_fresh;
    QTimer m_timer;
    QString m_selected;
    RoutingTable m_routing;
    std::vector<Prompt> m_prompts;
    QHash<QString, std::vector<PromptVersion>> m_versions;
    QHash<QString, Change> m_inFlight;          // by request id, until applied
    QHash<QString, Experiment> m_appliedResult; // by request id, until the log has it
    Experiment m_lastUpdated;
};

} // namespace sb
