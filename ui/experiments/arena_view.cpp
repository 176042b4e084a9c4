#include "ui/experiments/arena_view.h"

#include "ui/common/palette.h"
#include "ui/common/table_setup.h"
#include "ui/experiments/arena_controller.h"
#include "ui/experiments/results_charts.h"
#include "ui/session.h"

#include <QCheckBox>
#include <QDateTime>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTextCursor>
#include <QTimer>
#include <QVBoxLayout>
#include <chrono>

namespace sb {

namespace {

qint64 steadyUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

enum VoteKind
{
    kBest,
    kTie,
    kAllBad
};

} // namespace

ArenaView::ArenaView(Session *session, ArenaController *controller, QWidget *parent)
    : QWidget(parent), m_session(session), m_controller(controller), m_input(new QPlainTextEdit),
      m_variablesBox(new QWidget), m_variables(new QFormLayout),
      m_blind(new QCheckBox(tr("&Blind (shuffle, hide names until the vote)"))),
      m_run(new QPushButton(tr("Run side by side  (Ctrl+Enter)"))),
      m_cancel(new QPushButton(tr("Cancel  (Esc)"))), m_status(new QLabel),
      m_columnsLayout(new QHBoxLayout), m_tie(new QPushButton(tr("&Tie"))),
      m_allBad(new QPushButton(tr("All &bad"))), m_voteHint(new QLabel),
      m_historyTable(new QTableView), m_show(new QPushButton(tr("Show"))),
      m_again(new QPushButton(tr("Run again"))), m_tick(new QTimer(this))
{
    m_input->setObjectName(QStringLiteral("arenaInput"));
    m_input->setPlaceholderText(tr("Type the user's message, e.g. \"I was charged twice for my "
                                   "subscription\""));
    m_input->setTabChangesFocus(true);
    QFont inf = m_input->font();
    inf.setPointSizeF(inf.pointSizeF() * 1.1);
    m_input->setFont(inf);
    m_input->setFixedHeight(m_input->fontMetrics().lineSpacing() * 3 + 16);
    m_blind->setObjectName(QStringLiteral("blindCheck"));
    m_blind->setChecked(true);
    m_run->setObjectName(QStringLiteral("arenaRun"));
    m_run->setDefault(true);
    m_run->setIcon(QIcon::fromTheme(QStringLiteral("media-playback-start")));
    m_cancel->setObjectName(QStringLiteral("arenaCancel"));
    m_cancel->setIcon(QIcon::fromTheme(QStringLiteral("process-stop")));
    m_status->setObjectName(QStringLiteral("arenaStatus"));
    m_status->setWordWrap(true);
    m_variablesBox->setObjectName(QStringLiteral("arenaVariables"));
    m_variablesBox->setLayout(m_variables);
    m_variables->setContentsMargins(0, 0, 0, 0);

    auto *top = new QHBoxLayout;
    top->setAlignment(Qt::AlignTop);
    auto *inputCol = new QVBoxLayout;
    inputCol->setAlignment(Qt::AlignTop);
    inputCol->addWidget(new QLabel(tr("Input")));
    inputCol->addWidget(m_input);
    inputCol->addStretch(1);
    top->addLayout(inputCol, 3);
    auto *varCol = new QVBoxLayout;
    varCol->addWidget(new QLabel(tr("Variables")));
    varCol->addWidget(m_variablesBox);
    varCol->addStretch(1);
    top->addLayout(varCol, 2);

    auto *actions = new QHBoxLayout;
    actions->addWidget(m_run);
    actions->addWidget(m_cancel);
    actions->addWidget(m_blind);
    actions->addWidget(m_status, 1);

    auto *columnsBox = new QWidget;
    columnsBox->setObjectName(QStringLiteral("arenaColumns"));
    columnsBox->setLayout(m_columnsLayout);
    m_columnsLayout->setContentsMargins(0, 0, 0, 0);
    m_columnsLayout->setSpacing(8);

    auto *voteRow = new QHBoxLayout;
    m_tie->setObjectName(QStringLiteral("arenaTie"));
    m_allBad->setObjectName(QStringLiteral("arenaAllBad"));
    m_voteHint->setObjectName(QStringLiteral("arenaVoteHint"));
    m_voteHint->setWordWrap(true);
    voteRow->addWidget(m_voteHint, 1);
    voteRow->addWidget(m_tie);
    voteRow->addWidget(m_allBad);

    auto *upper = new QWidget;
    auto *ul = new QVBoxLayout(upper);
    ul->setContentsMargins(0, 0, 0, 0);
    ul->addLayout(top);
    ul->addLayout(actions);
    ul->addWidget(columnsBox, 1);
    ul->addLayout(voteRow);

    auto *lower = new QWidget;
    auto *ll = new QVBoxLayout(lower);
    ll->setContentsMargins(0, 0, 0, 0);
    auto *historyHead = new QHBoxLayout;
    historyHead->addWidget(new QLabel(tr("Earlier runs on this console (kept in the cache, "
                                         "available offline)")),
                           1);
    m_show->setObjectName(QStringLiteral("arenaShow"));
    m_again->setObjectName(QStringLiteral("arenaAgain"));
    historyHead->addWidget(m_show);
    historyHead->addWidget(m_again);
    ll->addLayout(historyHead);
    m_historyTable->setObjectName(QStringLiteral("arenaHistory"));
    setupTable(m_historyTable, controller->history());
    m_historyTable->verticalHeader()->setVisible(false);
    ll->addWidget(m_historyTable);

    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(upper);
    split->addWidget(lower);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(m_run, &QPushButton::clicked, this, &ArenaView::runNow);
    connect(m_cancel, &QPushButton::clicked, controller, &ArenaController::cancel);
    auto *runKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    connect(runKey, &QShortcut::activated, this, &ArenaView::runNow);
    auto *runKey2 = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Enter), this);
    connect(runKey2, &QShortcut::activated, this, &ArenaView::runNow);
    auto *cancelKey = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    cancelKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(cancelKey, &QShortcut::activated, controller, &ArenaController::cancel);
    for (int i = 0; i < ArenaController::kMaxColumns; ++i) {
        auto *key = new QShortcut(QKeySequence(Qt::ALT | (Qt::Key_1 + i)), this);
        connect(key, &QShortcut::activated, this, [this, i] {
            if (i < int(m_columns.size()) && m_columns[std::size_t(i)].best->isEnabled())
                vote(i, kBest);
        });
    }
    connect(m_tie, &QPushButton::clicked, this, [this] { vote(-1, kTie); });
    connect(m_allBad, &QPushButton::clicked, this, [this] { vote(-1, kAllBad); });
    auto selectedRun = [this] {
        const QModelIndex i = m_historyTable->currentIndex();
        return i.isValid() ? i.data(ArenaHistoryModel::RequestIdRole).toString() : QString();
    };
    auto show = [this, selectedRun] {
        const QString id = selectedRun();
        if (id.isEmpty())
            return;
        m_controller->replay(id);
        const ArenaRun &r = m_controller->current();
        m_input->setPlainText(r.input);
        for (auto &[name, edit] : m_variableEdits)
            edit->setText(r.variables.value(name));
        m_blind->setChecked(r.blind);
    };
    connect(m_show, &QPushButton::clicked, this, show);
    connect(m_historyTable, &QTableView::doubleClicked, this, show);
    connect(m_again, &QPushButton::clicked, this, [this, show] {
        show();
        runNow();
    });
    connect(m_historyTable->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &ArenaView::updateActions);

    connect(controller, &ArenaController::runStarted, this, &ArenaView::rebuildColumns);
    connect(controller, &ArenaController::outputsUpdated, this, &ArenaView::appendNew);
    connect(controller, &ArenaController::runFinished, this, [this](const RpcError &e) {
        m_tick->stop();
        appendNew();
        if (e.code == RpcCode::Cancelled)
            m_status->setText(tr("Cancelled. What arrived is kept; you can still vote on it."));
        else if (!e.ok())
            m_status->setText(tr("Failed: %1").arg(e.describe()));
        else
            m_status->setText(m_controller->current().blind
                                  ? tr("Done. Pick the best column: names show after the vote.")
                                  : tr("Done. Pick the best column."));
        updateActions();
    });
    connect(controller, &ArenaController::voted, this, [this] {
        updateFigures();
        const ArenaRun &r = m_controller->current();
        m_status->setText(tr("Vote kept on this console; feedback: %1").arg(r.feedbackStatus));
        updateActions();
    });
    connect(controller, &ArenaController::variablesChanged, this, &ArenaView::rebuildVariables);
    connect(controller->history(), &QAbstractItemModel::modelReset, this, [this] {
        fitColumns(m_historyTable, 60, 600);
        updateActions();
    });
    connect(controller->history(), &QAbstractItemModel::rowsInserted, this,
            [this] { fitColumns(m_historyTable, 60, 600); });
    connect(session, &Session::freshnessChanged, this, &ArenaView::updateActions);
    m_tick->setInterval(250); // the elapsed-time figures move while waiting for tokens
    connect(m_tick, &QTimer::timeout, this, &ArenaView::updateFigures);
    rebuildVariables();
    rebuildColumns();
}

QLabel *ArenaView::columnTitle(int c) const
{
    return c >= 0 && c < columnCount() ? m_columns[std::size_t(c)].title : nullptr;
}

QLabel *ArenaView::columnFigures(int c) const
{
    return c >= 0 && c < columnCount() ? m_columns[std::size_t(c)].figures : nullptr;
}

QPlainTextEdit *ArenaView::columnText(int c) const
{
    return c >= 0 && c < columnCount() ? m_columns[std::size_t(c)].text : nullptr;
}

QPushButton *ArenaView::bestButton(int c) const
{
    return c >= 0 && c < columnCount() ? m_columns[std::size_t(c)].best : nullptr;
}

QCheckBox *ArenaView::flag(int c) const
{
    return c >= 0 && c < columnCount() ? m_columns[std::size_t(c)].flag : nullptr;
}

QLineEdit *ArenaView::variable(const QString &name) const
{
    for (const auto &[n, e] : m_variableEdits) {
        if (n == name)
            return e;
    }
    return nullptr;
}

void ArenaView::rebuildVariables()
{
    QMap<QString, QString> kept;
    for (const auto &[name, edit] : m_variableEdits)
        kept.insert(name, edit->text());
    while (m_variables->rowCount() > 0)
        m_variables->removeRow(0);
    m_variableEdits.clear();
    for (const PromptVariable &v : m_controller->variables()) {
        auto *edit = new QLineEdit;
        edit->setObjectName(QStringLiteral("variable_") + v.name);
        edit->setPlaceholderText(v.defaultValue.isEmpty()
                                     ? (v.required ? tr("required") : tr("optional"))
                                     : tr("default: %1").arg(v.defaultValue));
        edit->setToolTip(v.description);
        edit->setText(kept.value(v.name));
        connect(edit, &QLineEdit::textChanged, this, &ArenaView::updateActions);
        m_variables->addRow(v.required ? QStringLiteral("%1 *").arg(v.name) : v.name, edit);
        m_variableEdits.emplace_back(v.name, edit);
    }
    if (m_variableEdits.empty())
        m_variables->addRow(new QLabel(tr("(the prompts declare none)")));
    updateActions();
}

void ArenaView::rebuildColumns()
{
    for (auto &c : m_columns)
        delete c.frame;
    m_columns.clear();
    delete m_placeholder;
    m_placeholder = nullptr;
    m_pendingArrivalUs = 0;
    const ArenaRun &r = m_controller->current();
    const int n = int(r.outputs.size());
    for (int i = 0; i < n; ++i) {
        Column c;
        c.frame = new QFrame;
        c.frame->setObjectName(QStringLiteral("arenaColumn%1").arg(i));
        auto *frame = static_cast<QFrame *>(c.frame);
        frame->setFrameShape(QFrame::StyledPanel);
        auto *l = new QVBoxLayout(frame);
        c.title = new QLabel;
        QFont tf = c.title->font();
        tf.setPointSizeF(tf.pointSizeF() * 1.5);
        tf.setBold(true);
        c.title->setFont(tf);
        c.figures = new QLabel;
        c.figures->setObjectName(QStringLiteral("arenaFigures%1").arg(i));
        c.figures->setWordWrap(true);
        c.text = new QPlainTextEdit;
        c.text->setObjectName(QStringLiteral("arenaText%1").arg(i));
        c.text->setReadOnly(true);
        c.text->setFrameShape(QFrame::NoFrame);
        QFont xf = c.text->font();
        xf.setPointSizeF(xf.pointSizeF() * 1.15);
        c.text->setFont(xf);
        c.text->viewport()->installEventFilter(this);
        c.best = new QPushButton(tr("★ Best  (Alt+%1)").arg(i + 1));
        c.best->setObjectName(QStringLiteral("arenaBest%1").arg(i));
        c.flag = new QCheckBox(tr("Made something up"));
        c.flag->setObjectName(QStringLiteral("arenaFlag%1").arg(i));
        c.flag->setToolTip(tr("Flag a hallucination in this column's answer; sent with the vote."));
        auto *bottom = new QHBoxLayout;
        bottom->addWidget(c.best);
        bottom->addWidget(c.flag);
        bottom->addStretch(1);
        l->addWidget(c.title);
        l->addWidget(c.figures);
        l->addWidget(c.text, 1);
        l->addLayout(bottom);
        connect(c.best, &QPushButton::clicked, this, [this, i] { vote(i, kBest); });
        m_columnsLayout->addWidget(c.frame, 1);
        m_columns.push_back(c);
    }
    if (n == 0) {
        auto *empty = new QLabel(m_controller->experiment().id.isEmpty()
                                     ? tr("Select an experiment, then type an input and run it: "
                                          "its variants answer side by side.")
                                     : tr("Type an input and press Run: the variants of %1 "
                                          "answer side by side.")
                                           .arg(m_controller->experiment().name));
        empty->setAlignment(Qt::AlignCenter);
        empty->setWordWrap(true);
        empty->setObjectName(QStringLiteral("arenaPlaceholder"));
        QFont pf = empty->font();
        pf.setPointSizeF(pf.pointSizeF() * 1.2);
        empty->setFont(pf);
        m_columnsLayout->addWidget(empty, 1);
        m_placeholder = empty;
    }
    if (m_controller->isRunning()) {
        m_status->setText(r.blind ? tr("Streaming, blind: columns are shuffled and labelled "
                                       "A–D until you vote.")
                                  : tr("Streaming…"));
        m_tick->start();
    } else if (m_controller->isReplay()) {
        m_status->setText(tr("Showing an earlier run from %1 (from the cache).")
                              .arg(QDateTime::fromMSecsSinceEpoch(r.timeMs).toString(
                                  QStringLiteral("yyyy-MM-dd HH:mm"))));
    }
    appendNew();
    updateActions();
}

void ArenaView::appendNew()
{
    const qint64 arrival = m_controller->takeOldestArrivalUs();
    bool appended = false;
    for (int i = 0; i < columnCount(); ++i) {
        const QString text = m_controller->takeNewText(i);
        if (text.isEmpty())
            continue;
        QPlainTextEdit *edit = m_columns[std::size_t(i)].text;
        QScrollBar *bar = edit->verticalScrollBar();
        const bool atEnd = bar->value() >= bar->maximum() - 4;
        QTextCursor cursor(edit->document());
        cursor.movePosition(QTextCursor::End);
        cursor.insertText(text);
        if (atEnd)
            bar->setValue(bar->maximum());
        appended = true;
    }
    if (appended && arrival && !m_pendingArrivalUs)
        m_pendingArrivalUs = arrival;
    updateFigures();
}

void ArenaView::updateFigures()
{
    for (int i = 0; i < columnCount(); ++i) {
        Column &c = m_columns[std::size_t(i)];
        c.title->setText(m_controller->columnTitle(i));
        c.figures->setText(m_controller->columnFigures(i));
        const ArenaRun &r = m_controller->current();
        const ArenaOutput &o = r.outputs[std::size_t(i)];
        const bool winner = r.vote == ArenaVote::Prefer && r.preferredVariantId == o.variantId;
        const QColor accent =
            m_controller->namesShown()
                ? variantColor(int(std::distance(
                      m_controller->experiment().variants.begin(),
                      std::find_if(m_controller->experiment().variants.begin(),
                                   m_controller->experiment().variants.end(),
                                   [&](const Variant &v) { return v.id == o.variantId; }))))
                : palette::muted();
        c.frame->setStyleSheet(
            QStringLiteral("QFrame#%1 { border: %2px solid %3; border-radius: 6px; }")
                .arg(c.frame->objectName())
                .arg(winner ? 3 : 1)
                .arg(winner ? palette::good().name() : accent.name()));
        if (o.finished && o.summary.status != RpcCode::Ok)
            c.figures->setStyleSheet(QStringLiteral("color: %1;").arg(palette::bad().name()));
        else
            c.figures->setStyleSheet({});
    }
}

void ArenaView::updateActions()
{
    const QString runWhy = m_controller->runBlockedReason();
    QString missing;
    for (const PromptVariable &v : m_controller->variables()) {
        if (v.required && v.defaultValue.isEmpty()) {
            const QLineEdit *e = variable(v.name);
            if (e && e->text().trimmed().isEmpty())
                missing = v.name;
        }
    }
    m_run->setEnabled(runWhy.isEmpty() && missing.isEmpty());
    m_run->setToolTip(!runWhy.isEmpty() ? runWhy
                      : !missing.isEmpty()
                          ? tr("fill in the required variable %1").arg(missing)
                          : tr("Run the input through every variant (Ctrl+Enter)"));
    m_cancel->setEnabled(m_controller->isRunning());
    const QString voteWhy = m_controller->voteBlockedReason();
    const bool canVote = voteWhy.isEmpty();
    for (auto &c : m_columns) {
        c.best->setEnabled(canVote);
        c.best->setToolTip(canVote ? tr("This column's answer is the best") : voteWhy);
        c.flag->setEnabled(canVote);
    }
    m_tie->setEnabled(canVote);
    m_allBad->setEnabled(canVote);
    m_tie->setToolTip(canVote ? tr("The answers are equally good") : voteWhy);
    m_allBad->setToolTip(canVote ? tr("None of the answers is acceptable") : voteWhy);
    const ArenaRun &r = m_controller->current();
    if (!m_controller->hasRun())
        m_voteHint->setText(tr("Vote after a run: ★ Best under a column, Tie, or All bad."));
    else if (r.vote != ArenaVote::None)
        m_voteHint->setText(tr("Voted: %1. Feedback: %2.")
                                .arg(describeVote(r), r.feedbackStatus.isEmpty()
                                                          ? QStringLiteral("—")
                                                          : r.feedbackStatus));
    else if (canVote)
        m_voteHint->setText(tr("Which answer is best? Flag any column that made something up."));
    else
        m_voteHint->setText(voteWhy.isEmpty() ? QString() : tr("Vote: %1.").arg(voteWhy));
    const bool picked = m_historyTable->currentIndex().isValid();
    m_show->setEnabled(picked && !m_controller->isRunning());
    m_again->setEnabled(picked && runWhy.isEmpty());
    m_again->setToolTip(runWhy.isEmpty() ? tr("Run the selected input again, live") : runWhy);
}

void ArenaView::runNow()
{
    if (!m_run->isEnabled())
        return;
    QMap<QString, QString> vars;
    for (const auto &[name, edit] : m_variableEdits) {
        if (!edit->text().isEmpty())
            vars.insert(name, edit->text());
    }
    m_controller->run(m_input->toPlainText(), vars, m_blind->isChecked());
}

void ArenaView::vote(int bestColumn, int kind)
{
    const ArenaRun &r = m_controller->current();
    QStringList flagged;
    for (int i = 0; i < columnCount(); ++i) {
        if (m_columns[std::size_t(i)].flag->isChecked())
            flagged << r.outputs[std::size_t(i)].variantId;
    }
    if (kind == kBest && bestColumn >= 0 && bestColumn < int(r.outputs.size()))
        m_controller->vote(ArenaVote::Prefer, r.outputs[std::size_t(bestColumn)].variantId,
                           flagged);
    else if (kind == kTie)
        m_controller->vote(ArenaVote::Tie, {}, flagged);
    else if (kind == kAllBad)
        m_controller->vote(ArenaVote::AllBad, {}, flagged);
}

bool ArenaView::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Paint && m_pendingArrivalUs) {
        // The first paint after new text: how long the oldest token waited.
        m_paintDelaysUs.push_back(steadyUs() - m_pendingArrivalUs);
        m_pendingArrivalUs = 0;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace sb
