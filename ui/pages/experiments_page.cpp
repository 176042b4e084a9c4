#include "ui/pages/experiments_page.h"

#include "ui/session.h"
#include "ui/widgets/stale_banner.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

namespace sb {

ExperimentsPage::ExperimentsPage(Session *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_banner(new StaleBanner(this)),
      m_table(new QTableView(this)), m_details(new QLabel(this))
{
    m_table->setObjectName(QStringLiteral("experimentsTable"));
    m_table->setModel(session->experiments());
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_details->setTextFormat(Qt::RichText);
    m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_details->setWordWrap(true);
    m_details->setMargin(8);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(split, 1);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &cur) { showDetails(cur.row()); });
    connect(session->experiments(), &QAbstractItemModel::modelReset, this, [this] {
        m_table->resizeColumnsToContents();
        const int row = std::max(0, m_table->currentIndex().row());
        m_table->selectRow(row);
        showDetails(row);
    });
    showDetails(-1);
}

void ExperimentsPage::showDetails(int row)
{
    const Experiment *e = m_session->experiments()->experimentAt(row);
    if (!e) {
        m_details->setText(tr("Select an experiment to see its variants."));
        return;
    }
    quint64 total = 0;
    for (const auto &v : e->variants)
        total += v.weight;
    QString html =
        QStringLiteral("<b>%1</b> — %2<br>%3<br><br><table cellspacing=0 cellpadding=4>"
                       "<tr><th align=left>Variant</th><th align=left>Prompt</th>"
                       "<th align=left>Model</th><th align=right>Traffic</th></tr>")
            .arg(e->name.toHtmlEscaped(), toString(e->state), e->description.toHtmlEscaped());
    for (const auto &v : e->variants) {
        const QString version =
            v.promptVersion ? QStringLiteral("v%1").arg(v.promptVersion) : tr("production");
        html +=
            QStringLiteral("<tr><td>%1</td><td>%2 %3</td><td>%4</td><td align=right>%5%</td></tr>")
                .arg((v.name.isEmpty() ? v.id : v.name).toHtmlEscaped(),
                     v.promptName.toHtmlEscaped(), version, v.model.toHtmlEscaped())
                .arg(total ? 100.0 * v.weight / double(total) : 0.0, 0, 'f', 1);
    }
    html += QStringLiteral("</table>");
    QStringList guard;
    for (auto m : e->guardrails)
        guard << toString(m);
    html += tr("<br>Primary metric: <b>%1</b>; guardrails: %2")
                .arg(toString(e->primaryMetric),
                     guard.isEmpty() ? tr("none") : guard.join(QStringLiteral(", ")));
    m_details->setText(html);
}

void ExperimentsPage::updateFreshness()
{
    m_banner->update(m_session->isLive(Session::Area::Experiments),
                     m_session->fetchedMs(Session::Area::Experiments), m_session->staleReason(),
                     m_session->cachedFrom());
}

RoutingPage::RoutingPage(Session *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_banner(new StaleBanner(this)),
      m_tree(new QTreeView(this))
{
    m_tree->setObjectName(QStringLiteral("routingTree"));
    m_tree->setModel(session->routing());
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(m_tree, 1);
    auto fit = [this] {
        for (int c = 0; c < m_session->routing()->columnCount(); ++c)
            m_tree->resizeColumnToContents(c);
    };
    connect(session->routing(), &QAbstractItemModel::modelReset, this, [this, fit] {
        m_tree->expandAll();
        fit();
    });
    // Values change in place (a toggle, a revert time): keep them readable.
    connect(session->routing(), &QAbstractItemModel::dataChanged, this, fit);
}

void RoutingPage::updateFreshness()
{
    m_banner->update(m_session->isLive(Session::Area::Routing),
                     m_session->fetchedMs(Session::Area::Routing), m_session->staleReason(),
                     m_session->cachedFrom());
}

} // namespace sb
