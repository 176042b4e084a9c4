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
#include <QPainter>
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

// A column's box: a rounded border in the variant's colour, painted
// directly. (A style sheet would do it too, but it makes every child of the
// column paint through the much slower style-sheet style, 30 times a second.)
class AccentFrame : public QFrame
{
public:
    using QFrame::QFrame;
    void setAccent(const QColor &color, int width)
    {
        if (color == m_color && width == m_width)
            return;
        m_color = color;
        m_width = width;
        update();
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        QPen pen(m_color, m_width);
        p.setPen(pen);
        p.setBrush(palette().base());
        const qreal half = m_width / 2.0;
        p.drawRoundedRect(QRectF(rect()).adjusted(half, half, -half, -half), 6, 6);
    }

private:
    QColor m_color = Qt::gray;
    int m_width = 1;
};

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
      m_again(new QPushButton(tr("Run again"))), m_tick(new QTimer(this)),
      m_stagger(new QTimer(this))
{
    m_stagger->setInterval(0);
    connect(m_stagger, &QTimer::timeout, this, [this] {
        appendColumn(m_nextColumn++);
        if (m_nextColumn >= columnCount())
            m_stagger->stop();
    });
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
    m_stagger->stop();
    delete m_placeholder;
    m_placeholder = nullptr;
    const ArenaRun &r = m_controller->current();
    const int n = int(r.outputs.size());
    for (int i = 0; i < n; ++i) {
        Column c;
        auto *frame = new AccentFrame;
        c.frame = frame;
        c.frame->setObjectName(QStringLiteral("arenaColumn%1").arg(i));
        auto *l = new QVBoxLayout(frame);
        l->setContentsMargins(10, 8, 10, 8);
        c.title = new QLabel;
        QFont tf = c.title->font();
        tf.setPointSizeF(tf.pointSizeF() * 1.5);
        tf.setBold(true);
        c.title->setFont(tf);
        c.figures = new QLabel;
        c.figures->setObjectName(QStringLiteral("arenaFigures%1").arg(i));
        c.figures->setWordWrap(true);
        // A fixed box of two lines: the figures change 30 times a second, and
        // a label that changed its size hint each time would relayout (and
        // repaint) the whole page each time.
        c.figures->setFixedHeight(c.figures->fontMetrics().lineSpacing() * 2 + 2);
        c.figures->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
        c.figures->setAlignment(Qt::AlignLeft | Qt::AlignTop);
        c.text = new QPlainTextEdit;
        c.text->setObjectName(QStringLiteral("arenaText%1").arg(i));
        c.text->setReadOnly(true);
        c.text->setFrameShape(QFrame::NoFrame);
        // Always there, so its appearance mid-stream never re-wraps the text.
        c.text->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
        QFont xf = c.text->font();
        xf.setPointSizeF(xf.pointSizeF() * 1.15);
        c.text->setFont(xf);
        c.text->viewport()->installEventFilter(this);
        c.best = new QPushButton(tr("★ Best  (Alt+%1)").arg(i + 1));
        c.best->setObjectName(QStringLiteral("arenaBest%1").arg(i));
        c.flag = new QCheckBox(tr("Made something up"));
        c.flag->setObjectName(QStringLiteral("arenaFlag%1").arg(i));
        c.flag->setToolTip(tr("Flag a hallucination in this column's answer; sent with the vote."));
        c.flag->setChecked(r.hallucinated.contains(r.outputs[std::size_t(i)].variantId));
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
        c.frame->show(); // the box is already visible: show now, not at the next event loop
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
        empty->show();
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
    updateFigures();
    updateActions();
}

void ArenaView::appendNew()
{
    if (columnCount() == 0)
        return;
    m_stagger->stop();
    if (!m_controller->isRunning()) {
        // Done, cancelled or replayed: everything at once, it happens once.
        for (int i = 0; i < columnCount(); ++i)
            appendColumn(i);
        return;
    }
    // Streaming: column 0 now, the others one per event (see the header).
    m_nextColumn = 0;
    appendColumn(m_nextColumn++);
    if (m_nextColumn < columnCount())
        m_stagger->start();
}

void ArenaView::appendColumn(int i)
{
    if (i < 0 || i >= columnCount())
        return;
    Column &c = m_columns[std::size_t(i)];
    const qint64 arrival = m_controller->takeOldestArrivalUs(i);
    const QString text = m_controller->takeNewText(i);
    if (!text.isEmpty()) {
        QPlainTextEdit *edit = c.text;
        QScrollBar *bar = edit->verticalScrollBar();
        const bool atEnd = bar->value() >= bar->maximum() - 4;
        QTextCursor cursor(edit->document());
        cursor.movePosition(QTextCursor::End);
        cursor.insertText(text);
        if (atEnd)
            bar->setValue(bar->maximum());
        if (arrival && !c.pendingArrivalUs)
            c.pendingArrivalUs = arrival;
        // While streaming, paint this column now, inside its own slice,
        // instead of all four together in the next repaint.
        if (m_controller->isRunning())
            edit->viewport()->repaint();
    }
    // The figures move with the 4 Hz tick while streaming; here only once done.
    if (!m_controller->isRunning())
        updateFigure(i);
}

void ArenaView::updateFigures()
{
    for (int i = 0; i < columnCount(); ++i)
        updateFigure(i);
}

void ArenaView::updateFigure(int i)
{
    const ArenaRun &r = m_controller->current();
    const auto &variants = m_controller->experiment().variants;
    {
        Column &c = m_columns[std::size_t(i)];
        const ArenaOutput &o = r.outputs[std::size_t(i)];
        const bool winner = r.vote == ArenaVote::Prefer && r.preferredVariantId == o.variantId;
        const QString title =
            m_controller->columnTitle(i) + (winner ? tr("  ★ voted best") : QString());
        // Only what changed: every setter repaints, 30 times a second.
        if (c.title->text() != title)
            c.title->setText(title);
        const QString figures = m_controller->columnFigures(i);
        if (c.figures->text() != figures)
            c.figures->setText(figures);
        int index = 0;
        for (std::size_t k = 0; k < variants.size(); ++k) {
            if (variants[k].id == o.variantId)
                index = int(k);
        }
        const QColor accent = m_controller->namesShown() ? variantColor(index) : palette::muted();
        static_cast<AccentFrame *>(c.frame)->setAccent(accent, winner ? 3 : 1);
        const bool failed = o.finished && o.summary.status != RpcCode::Ok;
        if (failed != c.failed) {
            c.failed = failed;
            c.figures->setStyleSheet(
                failed ? QStringLiteral("color: %1;").arg(palette::bad().name()) : QString());
        }
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
    if (event->type() == QEvent::Paint) {
        for (auto &c : m_columns) {
            if (c.text->viewport() == watched && c.pendingArrivalUs) {
                // The first paint after new text: how long its oldest token waited.
                m_paintDelaysUs.push_back(steadyUs() - c.pendingArrivalUs);
                c.pendingArrivalUs = 0;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace sb
