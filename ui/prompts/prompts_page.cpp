#include "ui/prompts/prompts_page.h"

#include "ui/common/stale_banner.h"
#include "ui/common/table_setup.h"
#include "ui/prompts/prompts_controller.h"
#include "ui/session.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace sb {

static QTableView *makeTable(QWidget *parent, const QString &name)
{
    auto *t = new QTableView(parent);
    t->setObjectName(name);
    return t;
}

PromptsPage::PromptsPage(Session *session, PromptsController *controller, QWidget *parent)
    : Page(parent), m_session(session), m_controller(controller), m_banner(new StaleBanner(this)),
      m_prompts(makeTable(this, QStringLiteral("promptsTable"))),
      m_versions(makeTable(this, QStringLiteral("versionsTable"))),
      m_versionHeader(new QLabel(this)), m_template(new QPlainTextEdit(this)),
      m_search(new QLineEdit(this)), m_searchCount(new QLabel(this))
{
    m_promptProxy = setupTable(m_prompts, controller->prompts());
    // The search box filters the proxy in place: the list is never rebuilt,
    // so the selection and sort order survive typing.
    m_promptProxy->setFilterRole(PromptListModel::FilterRole);
    m_promptProxy->setFilterKeyColumn(0);
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
    m_versionProxy = setupTable(m_versions, controller->versions());
    m_template->setReadOnly(true);
    m_template->setObjectName(QStringLiteral("templateView"));
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    m_template->setFont(mono);
    m_versionHeader->setWordWrap(true);

    auto *right = new QWidget(this);
    auto *rl = new QVBoxLayout(right);
    rl->setContentsMargins(0, 0, 0, 0);
    auto *rightSplit = new QSplitter(Qt::Vertical, right);
    rightSplit->addWidget(m_versions);
    auto *tplBox = new QWidget(rightSplit);
    auto *tl = new QVBoxLayout(tplBox);
    tl->setContentsMargins(0, 0, 0, 0);
    tl->addWidget(m_versionHeader);
    tl->addWidget(m_template);
    rightSplit->addWidget(tplBox);
    rl->addWidget(rightSplit);

    auto *left = new QWidget(this);
    auto *ll = new QVBoxLayout(left);
    ll->setContentsMargins(0, 0, 0, 0);
    ll->addWidget(m_search);
    ll->addWidget(m_prompts, 1);
    ll->addWidget(m_searchCount);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);

    setFocusProxy(m_prompts);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(split, 1);

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
    });
    connect(controller->versions(), &QAbstractItemModel::modelReset, this, [this] {
        fitColumns(m_versions);
        m_versions->selectRow(0);
        showVersion(m_versionProxy->mapToSource(m_versions->currentIndex()).row());
    });
    connect(
        m_versions->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex &cur) { showVersion(m_versionProxy->mapToSource(cur).row()); });
    showVersion(-1);
}

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

void PromptsPage::showVersion(int row)
{
    const PromptVersion *v = m_controller->versions()->versionAt(row);
    if (!v) {
        m_versionHeader->setText(tr("Select a prompt to see its versions."));
        m_template->clear();
        return;
    }
    QStringList params;
    if (v->params.temperature)
        params << tr("temperature %1").arg(*v->params.temperature);
    if (v->params.topP)
        params << tr("top_p %1").arg(*v->params.topP);
    if (v->params.maxOutputTokens)
        params << tr("max %1 tokens").arg(*v->params.maxOutputTokens);
    QStringList vars;
    for (const auto &var : v->variables)
        vars << (var.required ? var.name : var.name + QStringLiteral("?"));
    m_versionHeader->setText(
        tr("<b>%1 v%2</b> · %3%4 · variables: %5")
            .arg(v->promptName.toHtmlEscaped())
            .arg(v->version)
            .arg(v->model.toHtmlEscaped(),
                 params.isEmpty() ? QString()
                                  : QStringLiteral(" (") + params.join(QStringLiteral(", ")) +
                                        QStringLiteral(")"),
                 vars.isEmpty() ? tr("none") : vars.join(QStringLiteral(", ")).toHtmlEscaped()));
    m_template->setPlainText(v->templateText);
}

void PromptsPage::updateFreshness()
{
    const Freshness f = m_controller->freshness();
    m_banner->update(f.live, f.fetchedMs, m_session->staleReason(), m_session->cachedFrom());
}

} // namespace sb
