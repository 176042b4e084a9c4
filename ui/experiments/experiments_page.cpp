#include "ui/experiments/experiments_page.h"

#include "ui/common/format.h"
#include "ui/common/guarded_change_dialog.h"
#include "ui/common/stale_banner.h"
#include "ui/common/table_setup.h"
#include "ui/experiments/arena_view.h"
#include "ui/experiments/experiment_setup_dialog.h"
#include "ui/experiments/experiments_controller.h"
#include "ui/experiments/results_controller.h"
#include "ui/experiments/results_report.h"
#include "ui/experiments/results_view.h"
#include "ui/session.h"

#include <QAction>
#include <QFileDialog>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace sb {

ExperimentsPage::ExperimentsPage(Session *session, ExperimentsController *controller,
                                 QWidget *parent)
    : Page(parent), m_session(session), m_controller(controller), m_banner(new StaleBanner(this)),
      m_table(new QTableView(this)), m_tabs(new QTabWidget(this)),
      m_results(new ResultsView(session, controller->results(), this)),
      m_arena(new ArenaView(session, controller->arena(), this)), m_details(new QLabel)
{
    m_guarded = new GuardedChangeHost(this, [this](const Change &c) { m_controller->submit(c); });
    m_table->setObjectName(QStringLiteral("experimentsTable"));
    m_proxy = setupTable(m_table, controller->experiments());
    keepSelection(m_table, [](const QModelIndex &i) {
        return i.siblingAtColumn(0).data(ExperimentListModel::ExperimentIdRole).toString();
    });
    // The list is for picking: name and state; the rest is in Setup.
    for (int c : {int(ExperimentListModel::Route), int(ExperimentListModel::Variants),
                  int(ExperimentListModel::Metric), int(ExperimentListModel::Started)})
        m_table->setColumnHidden(c, true);
    m_table->setMinimumWidth(180);

    auto *tools = new QToolBar(this);
    tools->setObjectName(QStringLiteral("experimentsTools"));
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_new = tools->addAction(QIcon::fromTheme(QStringLiteral("document-new")),
                             tr("New experiment…"), this, &ExperimentsPage::newExperiment);
    m_new->setObjectName(QStringLiteral("newExperimentAction"));
    tools->addSeparator();
    m_start =
        tools->addAction(QIcon::fromTheme(QStringLiteral("media-playback-start")), tr("Start"),
                         this, [this] { changeState(ExperimentState::Running); });
    m_start->setObjectName(QStringLiteral("startAction"));
    m_pause = tools->addAction(QIcon::fromTheme(QStringLiteral("media-playback-pause")),
                               tr("Pause"), this, [this] { changeState(ExperimentState::Paused); });
    m_pause->setObjectName(QStringLiteral("pauseAction"));
    m_stop = tools->addAction(QIcon::fromTheme(QStringLiteral("media-playback-stop")), tr("Stop"),
                              this, [this] { changeState(ExperimentState::Stopped); });
    m_stop->setObjectName(QStringLiteral("stopAction"));
    m_weights = tools->addAction(QIcon::fromTheme(QStringLiteral("view-statistics")),
                                 tr("Edit split…"), this, &ExperimentsPage::editWeights);
    m_weights->setObjectName(QStringLiteral("weightsAction"));
    tools->addSeparator();
    m_export = tools->addAction(QIcon::fromTheme(QStringLiteral("document-export")),
                                tr("Export report…"), this, &ExperimentsPage::chooseExportFile);
    m_export->setObjectName(QStringLiteral("exportAction"));
    m_export->setToolTip(tr("PDF with the decision, tables, charts and methods; CSV of the "
                            "numbers beside it"));
    m_refresh = tools->addAction(QIcon::fromTheme(QStringLiteral("view-refresh")), tr("Refresh"),
                                 controller, &ExperimentsController::refresh);

    m_details->setObjectName(QStringLiteral("experimentDetails"));
    m_details->setTextFormat(Qt::RichText);
    m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_details->setWordWrap(true);
    m_details->setMargin(12);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *detailsScroll = new QScrollArea;
    detailsScroll->setWidgetResizable(true);
    detailsScroll->setWidget(m_details);

    m_tabs->setObjectName(QStringLiteral("experimentTabs"));
    m_tabs->addTab(m_results, QIcon::fromTheme(QStringLiteral("view-statistics")), tr("&Results"));
    m_tabs->addTab(m_arena, QIcon::fromTheme(QStringLiteral("view-split-left-right")),
                   tr("&Arena"));
    m_tabs->addTab(detailsScroll, QIcon::fromTheme(QStringLiteral("document-properties")),
                   tr("&Setup"));
    QFont tabFont = m_tabs->tabBar()->font();
    tabFont.setPointSizeF(tabFont.pointSizeF() * 1.1);
    m_tabs->tabBar()->setFont(tabFont);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_table);
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({300, 980});
    split->setChildrenCollapsible(false);

    setFocusProxy(m_table);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(tools);
    layout->addWidget(split, 1);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &cur) {
                m_controller->select(
                    cur.siblingAtColumn(0).data(ExperimentListModel::ExperimentIdRole).toString());
            });
    connect(controller->experiments(), &QAbstractItemModel::modelReset, this, [this] {
        fitColumns(m_table, 60, 220);
        // Keep what the controller has selected (the user's pick, or one made
        // from elsewhere) across a refresh of the list.
        if (const Experiment *e = m_controller->selected())
            selectExperiment(e->id);
        if (!m_table->currentIndex().isValid() && m_proxy->rowCount() > 0) {
            // Start where there is something to see: a running experiment.
            int row = 0;
            for (int r = 0; r < m_proxy->rowCount(); ++r) {
                if (m_proxy->index(r, ExperimentListModel::State).data().toString() ==
                    toString(ExperimentState::Running)) {
                    row = r;
                    break;
                }
            }
            m_table->setCurrentIndex(m_proxy->index(row, 0));
        }
        m_controller->select(m_table->currentIndex()
                                 .siblingAtColumn(0)
                                 .data(ExperimentListModel::ExperimentIdRole)
                                 .toString());
        showDetails();
        updateActions();
    });
    connect(controller, &ExperimentsController::selectionChanged, this, [this] {
        if (const Experiment *e = m_controller->selected())
            selectExperiment(e->id);
        showDetails();
        updateActions();
    });
    connect(controller, &ExperimentsController::changeSucceeded, this,
            [this](const Change &c, const Experiment &e) {
                emit m_session->message(tr("Done: %1").arg(c.title()));
                if (c.kind == ChangeKind::ExperimentCreate && !e.id.isEmpty())
                    selectExperiment(e.id);
                updateActions();
            });
    connect(controller, &ExperimentsController::changeConflicted, this,
            &ExperimentsPage::onConflict);
    connect(controller, &ExperimentsController::changeRejected, this,
            [this](const Change &c, const RpcError &e) {
                emit m_session->message(tr("Not applied: %1 — %2").arg(c.title(), e.describe()));
                updateActions();
            });
    connect(session, &Session::freshnessChanged, this, &ExperimentsPage::updateActions);
    showDetails();
    updateActions();
}

void ExperimentsPage::selectExperiment(const QString &id)
{
    for (int r = 0; r < m_proxy->rowCount(); ++r) {
        const QModelIndex i = m_proxy->index(r, 0);
        if (i.data(ExperimentListModel::ExperimentIdRole).toString() == id) {
            m_table->setCurrentIndex(i);
            return;
        }
    }
}

void ExperimentsPage::updateActions()
{
    const QString blocked = m_controller->writeBlockedReason();
    auto set = [&](QAction *a, const std::optional<Change> &c, const QString &why,
                   const QString &label) {
        a->setEnabled(blocked.isEmpty() && c.has_value());
        a->setToolTip(!blocked.isEmpty() ? blocked : c ? c->title() : why);
        a->setText(label);
    };
    QString why;
    auto start = m_controller->stateChangeFor(ExperimentState::Running, &why);
    const Experiment *e = m_controller->selected();
    set(m_start, start, why, e && e->state == ExperimentState::Paused ? tr("Resume") : tr("Start"));
    QString whyPause;
    set(m_pause, m_controller->stateChangeFor(ExperimentState::Paused, &whyPause), whyPause,
        tr("Pause"));
    QString whyStop;
    set(m_stop, m_controller->stateChangeFor(ExperimentState::Stopped, &whyStop), whyStop,
        tr("Stop"));
    const bool canWeigh = e && e->state != ExperimentState::Stopped;
    m_weights->setEnabled(blocked.isEmpty() && canWeigh);
    m_weights->setToolTip(!blocked.isEmpty() ? blocked
                          : !e               ? tr("select an experiment")
                          : !canWeigh        ? tr("%1 is stopped; its split is final").arg(e->name)
                                             : tr("Change the traffic split of %1").arg(e->name));
    m_export->setEnabled(e != nullptr);
    m_new->setEnabled(blocked.isEmpty());
    m_new->setToolTip(blocked.isEmpty() ? tr("Create an experiment (a draft until started)")
                                        : blocked);
}

void ExperimentsPage::showDetails()
{
    const Experiment *e = m_controller->selected();
    if (!e) {
        m_details->setText(tr("Select an experiment to see its variants."));
        return;
    }
    quint64 total = 0;
    for (const auto &v : e->variants)
        total += v.weight;
    QString html = QStringLiteral("<h2>%1</h2><p>%2 · route <b>%3</b> · id %4</p><p>%5</p>"
                                  "<table cellspacing=0 cellpadding=6>"
                                  "<tr><th align=left>Variant</th><th align=left>Id</th>"
                                  "<th align=left>Prompt</th><th align=left>Model</th>"
                                  "<th align=left>Parameters</th><th align=right>Traffic</th></tr>")
                       .arg(e->name.toHtmlEscaped(), toString(e->state), e->route.toHtmlEscaped(),
                            e->id.toHtmlEscaped(), e->description.toHtmlEscaped());
    for (const auto &v : e->variants) {
        const QString version =
            v.promptVersion ? QStringLiteral("v%1").arg(v.promptVersion) : tr("production");
        QStringList params;
        if (v.params.temperature)
            params << tr("temperature %1").arg(*v.params.temperature);
        if (v.params.topP)
            params << tr("top-p %1").arg(*v.params.topP);
        if (v.params.maxOutputTokens)
            params << tr("max %1 tokens").arg(*v.params.maxOutputTokens);
        html +=
            QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3 %4</td><td>%5</td><td>%6</td>"
                           "<td align=right>%7 %</td></tr>")
                .arg((v.name.isEmpty() ? v.id : v.name).toHtmlEscaped(), v.id.toHtmlEscaped(),
                     v.promptName.toHtmlEscaped(), version, v.model.toHtmlEscaped(),
                     params.isEmpty() ? tr("model defaults") : params.join(QStringLiteral(", ")))
                .arg(total ? 100.0 * v.weight / double(total) : 0.0, 0, 'f', 1);
    }
    html += QStringLiteral("</table>");
    QStringList guard;
    for (auto m : e->guardrails)
        guard << toString(m);
    html += tr("<p>Primary metric: <b>%1</b>; guardrails: %2</p><p>Created %3; started %4; last "
               "changed %5.</p>")
                .arg(toString(e->primaryMetric),
                     guard.isEmpty() ? tr("none") : guard.join(QStringLiteral(", ")),
                     formatTime(e->createdMs), formatTime(e->startedMs), formatTime(e->updatedMs));
    m_details->setText(html);
}

void ExperimentsPage::newExperiment()
{
    const QString blocked = m_controller->writeBlockedReason();
    if (!blocked.isEmpty()) {
        emit m_session->message(tr("Cannot create an experiment: %1").arg(blocked));
        return;
    }
    if (m_setup)
        m_setup->deleteLater();
    m_setup = new ExperimentSetupDialog(m_controller, this);
    m_setup->setAttribute(Qt::WA_DeleteOnClose);
    auto *d = m_setup;
    connect(d, &QDialog::accepted, this, [this, d] {
        const Change c = m_controller->createChangeFor(d->draft());
        ask(c, nullptr);
    });
    connect(d, &QObject::destroyed, this, [this, d] {
        if (m_setup == d)
            m_setup = nullptr;
    });
    d->open();
}

void ExperimentsPage::changeState(ExperimentState target)
{
    const QString blocked = m_controller->writeBlockedReason();
    if (!blocked.isEmpty()) {
        emit m_session->message(tr("Cannot change the experiment: %1").arg(blocked));
        return;
    }
    QString why;
    const auto c = m_controller->stateChangeFor(target, &why);
    if (!c) {
        emit m_session->message(why);
        return;
    }
    ask(*c, nullptr);
}

void ExperimentsPage::editWeights()
{
    const Experiment *e = m_controller->selected();
    if (!e || !m_controller->writeBlockedReason().isEmpty())
        return;
    auto *d = new WeightsDialog(*e, this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    connect(d, &QDialog::accepted, this, [this, d] {
        QString why;
        const auto c = m_controller->weightsChangeFor(d->weights(), &why);
        if (!c) {
            emit m_session->message(why);
            return;
        }
        ask(*c, nullptr);
    });
    d->open();
}

QString ExperimentsPage::exportReport(const QString &pdfPath)
{
    const QString error = exportResults(pdfPath, *m_controller->results(), m_results->charts());
    emit m_session->message(
        error.isEmpty() ? tr("Report written: %1 (and the CSV beside it)").arg(pdfPath) : error);
    return error;
}

void ExperimentsPage::chooseExportFile()
{
    const Experiment *e = m_controller->selected();
    if (!e)
        return;
    auto *dialog = new QFileDialog(this, tr("Export results of %1").arg(e->name));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilter(tr("PDF report (*.pdf)"));
    dialog->setDefaultSuffix(QStringLiteral("pdf"));
    dialog->selectFile(QStringLiteral("%1-results.pdf").arg(e->id));
    connect(dialog, &QFileDialog::fileSelected, this,
            [this](const QString &path) { exportReport(path); });
    dialog->open();
}

void ExperimentsPage::ask(const Change &change, const ConflictInfo *conflict)
{
    GuardedChangeDialog *dialog =
        m_guarded->create(change, m_controller->impactOf(change), m_session->isProduction());
    if (change.kind == ChangeKind::ExperimentCreate) {
        QStringList lines;
        const Experiment &d = change.experiment;
        lines << tr("Route: %1").arg(d.route);
        lines << tr("Primary metric: %1").arg(toString(d.primaryMetric));
        QStringList g;
        for (Metric m : d.guardrails)
            g << toString(m);
        lines << tr("Guardrails: %1").arg(g.isEmpty() ? tr("none") : g.join(QStringLiteral(", ")));
        for (const auto &v : d.variants)
            lines << tr("  %1 (%2): %3 %4 on %5, %6 %")
                         .arg(v.name, v.id, v.promptName,
                              v.promptVersion ? QStringLiteral("v%1").arg(v.promptVersion)
                                              : tr("production"),
                              v.model)
                         .arg(v.weight);
        dialog->setDetails(lines.join(QLatin1Char('\n')));
    }
    if (conflict)
        dialog->setConflict(m_controller->describeConflict(change, *conflict), {});
    m_guarded->open();
}

void ExperimentsPage::onConflict(const Change &change, const ConflictInfo &conflict)
{
    const auto again = m_controller->rebase(change);
    if (GuardedChangeHost::alreadyDone(this, again,
                                       m_controller->describeConflict(change, conflict)))
        return;
    Change c = *again;
    c.reason = change.reason;
    ask(c, &conflict);
}

void ExperimentsPage::updateFreshness()
{
    const Freshness f = m_controller->freshness();
    m_banner->update(f.live, f.fetchedMs, m_session->staleReason(), m_session->cachedFrom());
    m_results->updateFreshness();
    updateActions();
}

void ExperimentsPage::addCommands(std::vector<CommandEntry> &out)
{
    const ExperimentListModel *list = m_controller->experiments();
    for (int r = 0; r < list->rowCount(); ++r) {
        const Experiment *e = list->experimentAt(r);
        if (!e)
            continue;
        const QString id = e->id;
        out.push_back({.id = QStringLiteral("experiment:") + id,
                       .title = e->name,
                       .kind = tr("Experiment"),
                       .detail = tr("%1 · route %2 · %n variant(s)", "", int(e->variants.size()))
                                     .arg(toString(e->state), e->route),
                       .keywords = e->description + QLatin1Char(' ') + id,
                       .run = [this, id] { selectExperiment(id); }});
    }
}

} // namespace sb
