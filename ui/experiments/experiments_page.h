#pragma once

// Experiments page: the experiments on the left; for the selected one, its
// live results (the decision in plain words, intervals, guardrails, split
// check, charts), the arena (one input through every variant side by side,
// blind voting) and its setup. A toolbar creates experiments and starts,
// pauses, stops or reweighs the selected one, each through the
// guarded-change dialog (reason, production confirmation, conflict
// re-decision); offline or as a viewer the actions are disabled with why.

#include "core/change.h"
#include "ui/common/guarded_change_host.h"
#include "ui/common/page.h"

class QAction;
class QLabel;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace sb {

class Session;
class ExperimentsController;
class StaleBanner;
class ResultsView;
class ArenaView;

class ExperimentSetupDialog;
struct ConflictInfo;

class ExperimentsPage : public Page
{
    Q_OBJECT
public:
    ExperimentsPage(Session *session, ExperimentsController *controller, QWidget *parent = nullptr);
    void updateFreshness() override;

    QTableView *table() const { return m_table; }
    QTabWidget *tabs() const { return m_tabs; }
    ResultsView *resultsView() const { return m_results; }
    ArenaView *arenaView() const { return m_arena; }
    // The dialogs currently open, if any (for tests and screenshots).
    GuardedChangeDialog *openDialog() const { return m_guarded->dialog(); }
    ExperimentSetupDialog *setupDialog() const { return m_setup; }

    void selectExperiment(const QString &id);
    void addCommands(std::vector<CommandEntry> &out) override;
    void newExperiment();
    void changeState(ExperimentState target);
    void editWeights();
    // Writes the PDF report (and the CSV beside it); "" or why not.
    QString exportReport(const QString &pdfPath);
    void chooseExportFile();

private:
    void ask(const Change &change, const ConflictInfo *conflict);
    void onConflict(const Change &change, const ConflictInfo &conflict);
    void showDetails();
    void updateActions();

    Session *m_session;
    ExperimentsController *m_controller;
    StaleBanner *m_banner;
    QTableView *m_table;
    QSortFilterProxyModel *m_proxy;
    QTabWidget *m_tabs;
    ResultsView *m_results;
    ArenaView *m_arena;
    QLabel *m_details;
    QAction *m_new;
    QAction *m_start;
    QAction *m_pause;
    QAction *m_stop;
    QAction *m_weights;
    QAction *m_export;
    QAction *m_refresh;
    GuardedChangeHost *m_guarded = nullptr;
    ExperimentSetupDialog *m_setup = nullptr;
};

} // namespace sb
