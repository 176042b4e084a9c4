#include "ui/prompts/prompts_page.h"

#include "core/prompt_diff.h"
#include "core/prompt_template.h"
#include "ui/common/format.h"
#include "ui/common/guarded_change_dialog.h"
#include "ui/common/palette.h"
#include "ui/common/stale_banner.h"
#include "ui/common/table_setup.h"
#include "ui/prompts/diff_view.h"
#include "ui/prompts/prompts_controller.h"
#include "ui/prompts/template_highlighter.h"
#include "ui/prompts/version_editor.h"
#include "ui/prompts/version_timeline_delegate.h"
#include "ui/session.h"

#include <QAction>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace sb {

static const QString kProduction = QStringLiteral("production");

static QTableView *makeTable(QWidget *parent, const QString &name)
{
    auto *t = new QTableView(parent);
    t->setObjectName(name);
    return t;
}

static QFont monospace()
{
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    return mono;
}

PromptsPage::PromptsPage(Session *session, PromptsController *controller, QWidget *parent)
    : Page(parent), m_session(session), m_controller(controller), m_banner(new StaleBanner(this)),
      m_search(new QLineEdit(this)), m_searchCount(new QLabel(this)),
      m_prompts(makeTable(this, QStringLiteral("promptsTable"))), m_title(new QLabel(this)),
      m_draftBar(new QLabel(this)), m_compare(new QComboBox(this)),
      m_versions(makeTable(this, QStringLiteral("versionsTable"))), m_tabs(new QTabWidget(this)),
      m_versionHeader(new QLabel(this)), m_template(new QPlainTextEdit(this)),
      m_templateHighlighter(new TemplateHighlighter(m_template->document())),
      m_diff(new DiffView(this)), m_history(makeTable(this, QStringLiteral("labelHistoryTable"))),
      m_historyNote(new QLabel(this)), m_hint(new QLabel(this))
{
    m_guarded = new GuardedChangeHost(
        this, [this](const Change &c) { m_controller->submit(c); }, m_versions);
    // --- Find ---
    m_promptProxy = setupTable(m_prompts, controller->prompts());
    // The search box filters the proxy in place: the list is never rebuilt,
    // so the selection and sort order survive typing.
    m_promptProxy->setFilterRole(PromptListModel::FilterRole);
    m_promptProxy->setFilterKeyColumn(0);
    m_prompts->hideColumn(PromptListModel::Description); // in the tooltip and the header
    m_search->setObjectName(QStringLiteral("promptSearch"));
    m_search->setPlaceholderText(tr("Search name, description or label  (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->installEventFilter(this);
    m_searchCount->setObjectName(QStringLiteral("promptSearchCount"));
    auto *find = new QShortcut(QKeySequence::Find, this);
    find->setContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QShortcut::activated, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    connect(m_search, &QLineEdit::textChanged, this, &PromptsPage::applySearch);

    // --- Header and actions ---
    m_title->setObjectName(QStringLiteral("promptTitle"));
    m_title->setTextFormat(Qt::RichText);
    m_title->setWordWrap(false);
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    m_draftBar->setObjectName(QStringLiteral("draftBar"));
    m_draftBar->setTextFormat(Qt::RichText);
    m_draftBar->setWordWrap(true);
    m_draftBar->setStyleSheet(QStringLiteral("QLabel#draftBar { background: #e3f2fd; color: "
                                             "#0d3c61; border: 1px solid #90caf9; "
                                             "border-radius: 3px; padding: 4px; }"));
    m_draftBar->hide();
    connect(m_draftBar, &QLabel::linkActivated, this, [this](const QString &link) {
        if (link == QLatin1String("resume"))
            newVersion();
        else if (link == QLatin1String("discard")) {
            m_controller->discardDraft(m_controller->selectedPrompt());
            m_draftBar->hide();
        }
    });

    auto *tools = new QToolBar(this);
    tools->setObjectName(QStringLiteral("promptTools"));
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_newAction = tools->addAction(QIcon::fromTheme(QStringLiteral("document-new")),
                                   tr("New version"), this, &PromptsPage::newVersion);
    m_newAction->setObjectName(QStringLiteral("newVersionAction"));
    m_newAction->setShortcut(QKeySequence::New);
    m_newAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_newAction);
    m_newPromptAction = tools->addAction(QIcon::fromTheme(QStringLiteral("document-new")),
                                         tr("New prompt…"), this, &PromptsPage::newPrompt);
    m_newPromptAction->setObjectName(QStringLiteral("newPromptAction"));
    m_newPromptAction->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_N));
    m_newPromptAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_newPromptAction);
    m_moveMenu = new QMenu(this);
    m_moveMenu->setObjectName(QStringLiteral("moveLabelMenu"));
    connect(m_moveMenu, &QMenu::aboutToShow, this, [this] { fillMoveMenu(m_moveMenu); });
    m_moveAction =
        new QAction(QIcon::fromTheme(QStringLiteral("bookmark-new")), tr("Move label"), this);
    m_moveAction->setObjectName(QStringLiteral("moveLabelAction"));
    m_moveAction->setMenu(m_moveMenu);
    m_moveAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_moveAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_moveAction);
    connect(m_moveAction, &QAction::triggered, this, [this] {
        if (m_moveButton)
            m_moveButton->showMenu();
    });
    tools->addAction(m_moveAction);
    m_moveButton = qobject_cast<QToolButton *>(tools->widgetForAction(m_moveAction));
    if (m_moveButton) {
        m_moveButton->setPopupMode(QToolButton::InstantPopup);
        // Room for the menu arrow, which otherwise touches the text.
        m_moveButton->setStyleSheet(QStringLiteral("QToolButton { padding-right: 14px; }"));
    }
    m_promoteAction =
        tools->addAction(QIcon::fromTheme(QStringLiteral("go-up")), tr("Promote to production"),
                         this, [this] { moveLabel(kProduction); });
    m_promoteAction->setObjectName(QStringLiteral("promoteAction"));
    m_rollbackAction =
        tools->addAction(QIcon::fromTheme(QStringLiteral("edit-undo")), tr("Roll back production"),
                         this, &PromptsPage::rollBackProduction);
    m_rollbackAction->setObjectName(QStringLiteral("rollbackAction"));
    m_compare->setObjectName(QStringLiteral("compareBase"));
    m_compare->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_compare, &QComboBox::activated, this, [this] {
        updateDiff();
        m_tabs->setCurrentIndex(DiffTab);
    });

    // --- Versions: a timeline ---
    m_versionProxy = setupTable(m_versions, controller->versions());
    m_versions->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_versions->setItemDelegate(new VersionTimelineDelegate(m_versions));
    m_versions->setContextMenuPolicy(Qt::CustomContextMenu);
    m_versions->setToolTip(tr("Select one version to compare it with its parent or a label, "
                              "or two (Ctrl+click) to compare them"));

    // --- Template / Diff / Label history ---
    m_versionHeader->setObjectName(QStringLiteral("versionHeader"));
    m_versionHeader->setWordWrap(true);
    m_versionHeader->setTextFormat(Qt::RichText);
    m_versionHeader->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_template->setReadOnly(true);
    m_template->setObjectName(QStringLiteral("templateView"));
    m_template->setFont(monospace());
    auto *tplBox = new QWidget(this);
    auto *tl = new QVBoxLayout(tplBox);
    tl->setContentsMargins(4, 4, 4, 4);
    tl->addWidget(m_versionHeader);
    tl->addWidget(m_template, 1);
    m_historyProxy = setupTable(m_history, controller->labelHistory());
    m_historyNote->setObjectName(QStringLiteral("labelHistoryNote"));
    m_historyNote->setWordWrap(true);
    auto *histBox = new QWidget(this);
    auto *hl = new QVBoxLayout(histBox);
    hl->setContentsMargins(4, 4, 4, 4);
    hl->addWidget(m_history, 1);
    hl->addWidget(m_historyNote);
    auto *diffBox = new QWidget(this);
    auto *dl = new QVBoxLayout(diffBox);
    dl->setContentsMargins(4, 4, 4, 4);
    auto *compareRow = new QHBoxLayout;
    auto *compareLabel = new QLabel(tr("&Compare the selected version with:"), diffBox);
    compareLabel->setBuddy(m_compare);
    compareRow->addWidget(compareLabel);
    compareRow->addWidget(m_compare);
    compareRow->addStretch(1);
    dl->addLayout(compareRow);
    dl->addWidget(m_diff, 1);
    m_tabs->setObjectName(QStringLiteral("promptTabs"));
    m_tabs->addTab(tplBox, tr("&Template"));
    m_tabs->addTab(diffBox, tr("&Diff"));
    m_tabs->addTab(histBox, tr("Label &history"));

    m_hint->setObjectName(QStringLiteral("promptsHint"));
    m_hint->setWordWrap(true);

    // --- Layout ---
    auto *left = new QWidget(this);
    auto *ll = new QVBoxLayout(left);
    ll->setContentsMargins(0, 0, 0, 0);
    ll->addWidget(m_search);
    ll->addWidget(m_prompts, 1);
    ll->addWidget(m_searchCount);

    auto *right = new QWidget(this);
    auto *rl = new QVBoxLayout(right);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addWidget(m_title);
    rl->addWidget(m_draftBar);
    rl->addWidget(tools);
    auto *rightSplit = new QSplitter(Qt::Vertical, right);
    rightSplit->addWidget(m_versions);
    rightSplit->addWidget(m_tabs);
    rightSplit->setStretchFactor(0, 2);
    rightSplit->setStretchFactor(1, 3);
    rl->addWidget(rightSplit, 1);
    rl->addWidget(m_hint);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({420, 690});

    setFocusProxy(m_prompts);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(split, 1);

    // --- Behaviour ---
    connect(m_prompts->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &cur) {
                const Prompt *p =
                    m_controller->prompts()->promptAt(m_promptProxy->mapToSource(cur).row());
                if (p && p->name != m_controller->selectedPrompt())
                    m_controller->selectPrompt(p->name);
            });
    connect(controller->prompts(), &QAbstractItemModel::modelReset, this, [this] {
        fitColumns(m_prompts);
        const int row = m_controller->prompts()->rowOf(m_controller->selectedPrompt());
        if (row >= 0)
            m_prompts->setCurrentIndex(
                m_promptProxy->mapFromSource(m_controller->prompts()->index(row, 0)));
        updateSearchCount();
        updateHeader();
    });
    connect(controller->prompts(), &QAbstractItemModel::rowsInserted, this,
            &PromptsPage::updateSearchCount);
    connect(controller->prompts(), &QAbstractItemModel::dataChanged, this, [this] {
        updateHeader();
        updateActions();
    });
    // Keep the selected versions across a reload of the same prompt; a new
    // prompt (or a version just saved) selects its newest (or that one).
    auto keep = std::make_shared<std::pair<QString, std::vector<quint32>>>();
    connect(controller->versions(), &QAbstractItemModel::modelAboutToBeReset, this, [this, keep] {
        *keep = {m_controller->versions()->prompt().name, selectedVersions()};
    });
    connect(controller->versions(), &QAbstractItemModel::modelReset, this, [this, keep] {
        fitColumns(m_versions, 60, 420);
        std::vector<quint32> want;
        if (m_selectAfterReset && m_controller->versions()->rowOf(m_selectAfterReset) >= 0) {
            want = {m_selectAfterReset};
            m_selectAfterReset = 0;
        } else if (keep->first == m_controller->versions()->prompt().name) {
            want = keep->second;
        }
        if (want.empty() && m_controller->versions()->rowCount() > 0)
            want = {m_controller->versions()->versionAt(0)->version};
        selectVersions(want);
        fillCompareCombo();
        showSelection();
        updateActions();
    });
    connect(controller->versions(), &QAbstractItemModel::dataChanged, this, [this] {
        fillCompareCombo();
        showSelection();
        updateActions();
    });
    connect(m_versions->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        showSelection();
        updateActions();
    });
    connect(m_versions, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex idx = m_versions->indexAt(pos);
        if (!idx.isValid())
            return;
        if (!m_versions->selectionModel()->isRowSelected(idx.row(), {}))
            m_versions->selectRow(idx.row());
        QMenu menu(this);
        menu.addAction(m_newAction);
        auto *labels =
            menu.addMenu(QIcon::fromTheme(QStringLiteral("bookmark-new")), tr("Move label here"));
        fillMoveMenu(labels);
        menu.addAction(m_rollbackAction);
        menu.exec(m_versions->viewport()->mapToGlobal(pos));
    });
    connect(controller, &PromptsController::labelHistoryChanged, this, [this](const QString &p) {
        if (p != m_controller->selectedPrompt())
            return;
        fitColumns(m_history, 60, 320);
        const int n = m_controller->labelHistory()->rowCount();
        m_historyNote->setText(
            n == 0
                ? tr("No label moves recorded for this prompt (the service's audit log has "
                     "none, or they are older than it keeps).")
                : tr("%n label move(s), newest first, from the service's audit log.", nullptr, n));
        updateActions();
        updateDiff(); // "where production was" may be known now
    });
    connect(controller, &PromptsController::versionsShown, this, [this] {
        updateHeader();
        updateDraftBar();
    });
    connect(controller, &PromptsController::changeSucceeded, this,
            [this](const Change &c) { emit m_session->message(tr("Done: %1").arg(c.title())); });
    connect(controller, &PromptsController::changeConflicted, this, &PromptsPage::onConflict);
    connect(controller, &PromptsController::changeRejected, this,
            [this](const Change &c, const RpcError &e) {
                emit m_session->message(tr("Not applied: %1 — %2").arg(c.title(), e.describe()));
                updateActions();
            });
    connect(controller, &PromptsController::freshnessChanged, this, &PromptsPage::updateActions);
    connect(session, &Session::freshnessChanged, this, &PromptsPage::updateActions);
    showSelection();
    updateActions();
}

// --- Find ---

void PromptsPage::applySearch(const QString &text)
{
    // Every word must match somewhere (name, description or a label), in any
    // order: "support prod" finds support-reply by its production label.
    QString pattern;
    for (const QString &w : text.split(QLatin1Char(' '), Qt::SkipEmptyParts))
        pattern += QStringLiteral("(?=.*%1)").arg(QRegularExpression::escape(w));
    m_promptProxy->setFilterRegularExpression(
        QRegularExpression(pattern.isEmpty() ? QString() : QLatin1Char('^') + pattern,
                           QRegularExpression::CaseInsensitiveOption |
                               QRegularExpression::DotMatchesEverythingOption));
    // Keep showing a prompt that is still listed; otherwise the first match,
    // so the versions on the right always belong to a visible row.
    if (!m_prompts->currentIndex().isValid() && m_promptProxy->rowCount() > 0)
        m_prompts->setCurrentIndex(m_promptProxy->index(0, 0));
    updateSearchCount();
}

void PromptsPage::updateSearchCount()
{
    const int all = m_controller->prompts()->rowCount();
    const int shown = m_promptProxy->rowCount();
    if (m_search->text().trimmed().isEmpty())
        m_searchCount->setText(tr("%n prompt(s)", nullptr, all));
    else if (shown == 0)
        m_searchCount->setText(tr("No prompt matches “%1” (of %2)")
                                   .arg(m_search->text().trimmed().toHtmlEscaped())
                                   .arg(all));
    else
        m_searchCount->setText(tr("%1 of %2 prompts match").arg(shown).arg(all));
}

bool PromptsPage::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Escape && !m_search->text().isEmpty()) {
            m_search->clear();
            return true;
        }
        // Down or Enter goes to the list, so the keyboard never gets stuck.
        if (key->key() == Qt::Key_Down || key->key() == Qt::Key_Return ||
            key->key() == Qt::Key_Enter) {
            m_prompts->setFocus(Qt::OtherFocusReason);
            if (!m_prompts->currentIndex().isValid() && m_promptProxy->rowCount() > 0)
                m_prompts->setCurrentIndex(m_promptProxy->index(0, 0));
            return true;
        }
    }
    return Page::eventFilter(watched, event);
}

// --- Selection ---

std::vector<quint32> PromptsPage::selectedVersions() const
{
    std::vector<quint32> out;
    for (const QModelIndex &i : m_versions->selectionModel()->selectedRows()) {
        if (const PromptVersion *v =
                m_controller->versions()->versionAt(m_versionProxy->mapToSource(i).row()))
            out.push_back(v->version);
    }
    std::sort(out.begin(), out.end(), std::greater<>());
    return out;
}

void PromptsPage::selectVersions(const std::vector<quint32> &versions)
{
    auto *sel = m_versions->selectionModel();
    QItemSelection s;
    QModelIndex first;
    for (quint32 v : versions) {
        const int row = m_controller->versions()->rowOf(v);
        if (row < 0)
            continue;
        const QModelIndex idx =
            m_versionProxy->mapFromSource(m_controller->versions()->index(row, 0));
        if (!first.isValid())
            first = idx;
        s.select(idx, idx.siblingAtColumn(VersionListModel::NB_COLUMNS - 1));
    }
    sel->select(s, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (first.isValid()) {
        sel->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
        m_versions->scrollTo(first);
    }
}

void PromptsPage::showSelection()
{
    const auto sel = selectedVersions();
    const QString prompt = m_controller->versions()->prompt().name;
    showTemplate(sel.empty() ? nullptr : m_controller->version(prompt, sel.front()));
    m_compare->setEnabled(sel.size() == 1);
    m_compare->setToolTip(sel.size() >= 2 ? tr("Comparing the two selected versions")
                                          : tr("What the selected version is compared with"));
    updateDiff();
}

void PromptsPage::showTemplate(const PromptVersion *v)
{
    if (!v) {
        const QString prompt = m_controller->selectedPrompt();
        QString text;
        if (m_controller->prompts()->rowCount() == 0)
            text = tr("No prompts yet.");
        else if (prompt.isEmpty())
            text = tr("Select a prompt.");
        else if (m_controller->versions()->rowCount() > 0)
            text = tr("Select a version.");
        else if (m_controller->freshness().live)
            text = tr("Loading the versions of %1…").arg(prompt.toHtmlEscaped());
        else
            text = tr("The versions of <b>%1</b> are not in the cache: it was not opened while "
                      "connected. They load when the service is back.")
                       .arg(prompt.toHtmlEscaped());
        m_versionHeader->setText(text);
        m_template->clear();
        return;
    }
    QStringList vars;
    for (const auto &var : v->variables) {
        QString s = QStringLiteral("<b>%1</b>").arg(var.name.toHtmlEscaped());
        if (var.required)
            s += tr(" (required)");
        else if (!var.defaultValue.isEmpty())
            s += QStringLiteral(" = “%1”").arg(var.defaultValue.toHtmlEscaped());
        vars << s;
    }
    const QStringList labels = labelsAt(m_controller->versions()->prompt(), v->version);
    QString chips;
    for (const QString &l : labels)
        chips += QStringLiteral(" <span style='background-color:%1; color:white;'>&nbsp;%2&nbsp;"
                                "</span>")
                     .arg(labelColour(l).name(), l.toHtmlEscaped());
    m_versionHeader->setText(
        tr("<b>v%1</b>%2 &nbsp;·&nbsp; %3 &nbsp;·&nbsp; %4 &nbsp;·&nbsp; <b>%5</b> (%6)<br>"
           "“%7”<br>Variables: %8")
            .arg(v->version)
            .arg(chips, v->author.toHtmlEscaped(), formatTime(v->createdMs).toHtmlEscaped(),
                 v->model.toHtmlEscaped(), describeParams(v->params).toHtmlEscaped(),
                 v->message.toHtmlEscaped(),
                 vars.isEmpty() ? tr("none") : vars.join(QStringLiteral(", "))));
    QStringList declared;
    for (const auto &var : v->variables)
        declared << var.name;
    const TemplateAnalysis a = analyzeTemplate(v->templateText);
    QStringList fields;
    for (const auto &f : a.fields)
        fields << f;
    m_templateHighlighter->setNames(declared, fields, a.ok());
    if (m_template->toPlainText() != v->templateText)
        m_template->setPlainText(v->templateText);
}

void PromptsPage::fillCompareCombo()
{
    const QString was = m_compare->currentData().toString();
    m_compare->clear();
    m_compare->addItem(tr("its parent"), QStringLiteral("parent"));
    const Prompt &p = m_controller->versions()->prompt();
    std::vector<PromptLabel> labels = p.labels;
    std::stable_sort(labels.begin(), labels.end(), [](const auto &a, const auto &b) {
        const bool pa = a.name == kProduction, pb = b.name == kProduction;
        return pa != pb ? pa : a.name < b.name;
    });
    for (const auto &l : labels)
        m_compare->addItem(tr("%1 (v%2)").arg(l.name).arg(l.version),
                           QStringLiteral("label:") + l.name);
    if (p.latestVersion)
        m_compare->addItem(tr("the latest (v%1)").arg(p.latestVersion), QStringLiteral("latest"));
    const int i = m_compare->findData(was);
    m_compare->setCurrentIndex(i >= 0 ? i : 0);
}

void PromptsPage::updateDiff()
{
    const auto sel = selectedVersions();
    const Prompt &p = m_controller->versions()->prompt();
    if (sel.empty()) {
        m_diff->showMessage(m_controller->versions()->rowCount() > 0
                                ? tr("Select a version to compare.")
                                : tr("No versions to compare."));
        return;
    }
    auto title = [&](quint32 v) {
        const QStringList labels = labelsAt(p, v);
        return labels.isEmpty()
                   ? QStringLiteral("v%1").arg(v)
                   : QStringLiteral("v%1 (%2)").arg(v).arg(labels.join(QStringLiteral(", ")));
    };
    quint32 right = sel.front();
    quint32 left = 0;
    if (sel.size() >= 2) {
        left = sel[1];
    } else {
        const QString base = m_compare->currentData().toString();
        if (base == QLatin1String("parent")) {
            const PromptVersion *v = m_controller->version(p.name, right);
            left = v ? v->parentVersion : 0;
            if (!left) {
                m_diff->showMessage(tr("v%1 is the first version: nothing before it to compare "
                                       "with. Pick a label or select two versions.")
                                        .arg(right));
                return;
            }
        } else if (base.startsWith(QLatin1String("label:"))) {
            // The label's version on the left: "what changes if this one goes there".
            left = labelVersion(p, base.mid(6));
        } else if (base == QLatin1String("latest")) {
            left = p.latestVersion;
        }
        if (left == right) {
            m_diff->showMessage(tr("v%1 is %2 itself. Select another version, or two.")
                                    .arg(right)
                                    .arg(m_compare->currentText()));
            return;
        }
    }
    const PromptVersion *a = m_controller->version(p.name, left);
    const PromptVersion *b = m_controller->version(p.name, right);
    if (!a || !b) {
        m_diff->showMessage(
            tr("v%1 is not loaded (not in the cache, and not connected).").arg(a ? right : left));
        return;
    }
    if (a->version > b->version && sel.size() >= 2)
        std::swap(a, b);
    m_diff->setVersions(*a, *b, title(a->version), title(b->version));
}

void PromptsPage::updateHeader()
{
    const Prompt *p = m_controller->prompt(m_controller->selectedPrompt());
    if (!p) {
        m_title->setText(tr("<i>No prompt selected.</i>"));
        return;
    }
    QStringList labels;
    std::vector<PromptLabel> sorted = p->labels;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
        const bool pa = a.name == kProduction, pb = b.name == kProduction;
        return pa != pb ? pa : a.name < b.name;
    });
    for (const auto &l : sorted)
        labels << QStringLiteral("<span style='color:%1'><b>%2</b></span> → v%3")
                      .arg(labelColour(l.name).name(), l.name.toHtmlEscaped())
                      .arg(l.version);
    QFont f = m_title->font();
    m_title->setText(
        tr("<span style='font-size:%1pt'><b>%2</b></span> &nbsp; %3<br>%4 "
           "&nbsp;·&nbsp; %5 version(s), updated %6")
            .arg(f.pointSizeF() * 1.35)
            .arg(p->name.toHtmlEscaped(), p->description.toHtmlEscaped(),
                 labels.isEmpty() ? tr("no labels") : labels.join(QStringLiteral(" &nbsp; ")))
            .arg(p->latestVersion)
            .arg(formatTime(p->updatedMs).toHtmlEscaped()));
}

void PromptsPage::updateDraftBar()
{
    const QString prompt = m_controller->selectedPrompt();
    const auto d = prompt.isEmpty() ? std::nullopt : m_controller->draft(prompt);
    if (!d || (m_editor && m_editor->isVisible())) {
        m_draftBar->hide();
        return;
    }
    m_draftBar->setText(
        tr("✎ An unsaved draft of %1 (from v%2), kept %3. <a href='resume'>Resume</a> "
           "(Ctrl+N) &nbsp;·&nbsp; <a href='discard'>Discard</a>")
            .arg(prompt.toHtmlEscaped())
            .arg(d->parentVersion)
            .arg(formatAge(QDateTime::currentMSecsSinceEpoch() - d->savedMs)));
    m_draftBar->show();
}

void PromptsPage::updateFreshness()
{
    const Freshness f = m_controller->freshness();
    m_banner->update(f.live, f.fetchedMs, m_session->staleReason(), m_session->cachedFrom());
    updateActions();
}

void PromptsPage::openPrompt(const QString &name)
{
    const int row = m_controller->prompts()->rowOf(name);
    if (row < 0)
        return;
    QModelIndex shown = m_promptProxy->mapFromSource(m_controller->prompts()->index(row, 0));
    if (!shown.isValid()) {
        m_search->clear(); // the search hid it
        shown = m_promptProxy->mapFromSource(m_controller->prompts()->index(row, 0));
    }
    m_prompts->setCurrentIndex(shown);
    m_prompts->scrollTo(shown);
    m_prompts->setFocus();
}

void PromptsPage::addCommands(std::vector<CommandEntry> &out)
{
    for (const Prompt &p : m_controller->prompts()->prompts()) {
        QStringList labels;
        for (const auto &l : p.labels)
            labels << tr("%1 → v%2").arg(l.name).arg(l.version);
        const QString name = p.name;
        out.push_back({.id = QStringLiteral("prompt:") + name,
                       .title = name,
                       .kind = tr("Prompt"),
                       .detail = labels.isEmpty() ? tr("v%1, no labels").arg(p.latestVersion)
                                                  : labels.join(QStringLiteral(" · ")),
                       .keywords = p.description,
                       .run = [this, name] { openPrompt(name); }});
    }
    // The open prompt's versions (others load when opened).
    const QString open = m_controller->selectedPrompt();
    const QAbstractItemModel *versions = m_controller->versions();
    for (int r = 0; r < versions->rowCount(); ++r) {
        const quint32 v = versions->index(r, 0).data(VersionListModel::VersionRole).toUInt();
        const PromptVersion *pv = m_controller->version(open, v);
        if (!pv)
            continue;
        out.push_back({.id = QStringLiteral("version:%1:%2").arg(open).arg(v),
                       .title = tr("%1 v%2").arg(open).arg(v),
                       .kind = tr("Version"),
                       .detail = tr("%1 · %2").arg(pv->author, pv->message),
                       .keywords = pv->model,
                       .run = [this, v] { selectVersions({v}); }});
    }
}

} // namespace sb
