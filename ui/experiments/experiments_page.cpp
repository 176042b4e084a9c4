#include "ui/experiments/experiments_page.h"

#include "ui/common/stale_banner.h"
#include "ui/common/table_setup.h"
#include "ui/experiments/experiments_controller.h"
#include "ui/session.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace sb {

ExperimentsPage::ExperimentsPage(Session *session, ExperimentsController *controller,
                                 QWidget *parent)
    : Page(parent), m_session(session), m_controller(controller), m_banner(new StaleBanner(this)),
      m_table(new QTableView(this)), m_details(new QLabel(this))
{
    m_table->setObjectName(QStringLiteral("experimentsTable"));
    m_proxy = setupTable(m_table, controller->experiments());
    keepSelection(m_table,
                  [](const QModelIndex &i) { return i.siblingAtColumn(0).data().toString(); });
    m_details->setTextFormat(Qt::RichText);
    m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_details->setWordWrap(true);
    m_details->setMargin(8);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    setFocusProxy(m_table);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(split, 1);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &cur) { showDetails(m_proxy->mapToSource(cur).row()); });
    connect(controller->experiments(), &QAbstractItemModel::modelReset, this, [this] {
        fitColumns(m_table);
        if (!m_table->currentIndex().isValid())
            m_table->selectRow(0);
        showDetails(m_proxy->mapToSource(m_table->currentIndex()).row());
    });
    showDetails(-1);
}

void ExperimentsPage::showDetails(int row)
{
    const Experiment *e = m_controller->experiments()->experimentAt(row);
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
    const Freshness f = m_controller->freshness();
    m_banner->update(f.live, f.fetchedMs, m_session->staleReason(), m_session->cachedFrom());
}

} // namespace sb
