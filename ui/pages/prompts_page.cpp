#include "ui/pages/prompts_page.h"

#include "ui/session.h"
#include "ui/widgets/stale_banner.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace sb {

static QTableView *makeTable(QWidget *parent, const QString &name)
{
    auto *t = new QTableView(parent);
    t->setObjectName(name);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setAlternatingRowColors(true);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setWordWrap(false);
    return t;
}

PromptsPage::PromptsPage(Session *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_banner(new StaleBanner(this)),
      m_prompts(makeTable(this, QStringLiteral("promptsTable"))),
      m_versions(makeTable(this, QStringLiteral("versionsTable"))),
      m_versionHeader(new QLabel(this)), m_template(new QPlainTextEdit(this))
{
    m_prompts->setModel(session->prompts());
    m_versions->setModel(session->versions());
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

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(split, 1);

    connect(m_prompts->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &cur) {
                const Prompt *p = m_session->prompts()->promptAt(cur.row());
                if (p && p->name != m_session->selectedPrompt())
                    m_session->selectPrompt(p->name);
            });
    connect(session->prompts(), &QAbstractItemModel::modelReset, this, [this] {
        m_prompts->resizeColumnsToContents();
        const int row = m_session->prompts()->rowOf(m_session->selectedPrompt());
        if (row >= 0)
            m_prompts->selectRow(row);
    });
    connect(session->versions(), &QAbstractItemModel::modelReset, this, [this] {
        m_versions->resizeColumnsToContents();
        m_versions->selectRow(0);
        showVersion(0);
    });
    connect(m_versions->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &cur) { showVersion(cur.row()); });
    showVersion(-1);
}

void PromptsPage::showVersion(int row)
{
    const PromptVersion *v = m_session->versions()->versionAt(row);
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
    m_banner->update(m_session->isLive(Session::Area::Prompts),
                     m_session->fetchedMs(Session::Area::Prompts), m_session->staleReason(),
                     m_session->cachedFrom());
}

} // namespace sb
