#include "ui/prompts/prompts_page.h"

#include "ui/common/stale_banner.h"
#include "ui/common/table_setup.h"
#include "ui/prompts/prompts_controller.h"
#include "ui/session.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPlainTextEdit>
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
      m_versionHeader(new QLabel(this)), m_template(new QPlainTextEdit(this))
{
    m_promptProxy = setupTable(m_prompts, controller->prompts());
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

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_prompts);
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
