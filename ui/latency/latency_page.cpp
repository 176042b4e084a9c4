#include "ui/latency/latency_page.h"

#include "client/latency_stream.h"
#include "ui/common/stale_banner.h"
#include "ui/latency/latency_chart.h"
#include "ui/latency/latency_controller.h"
#include "ui/latency/route_summary_model.h"
#include "ui/session.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace sb {

LatencyPage::LatencyPage(Session *session, LatencyController *controller, QWidget *parent)
    : Page(parent), m_session(session), m_controller(controller), m_route(new QComboBox(this)),
      m_window(new QComboBox(this)), m_chart(new LatencyChart(this)),
      m_banner(new StaleBanner(this)),
      m_summaryModel(new RouteSummaryModel(controller->history(), this)),
      m_summary(new QTableView(this))
{
    m_summary->setObjectName(QStringLiteral("routeSummary"));
    m_summary->setModel(m_summaryModel);
    m_summary->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_summary->setSelectionMode(QAbstractItemView::SingleSelection);
    m_summary->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_summary->verticalHeader()->hide();
    m_summary->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_summary->setAlternatingRowColors(true);
    m_summary->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_summary->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_route->setObjectName(QStringLiteral("routeSelector"));
    m_route->setMinimumWidth(160);
    m_window->addItem(tr("Last 5 minutes"), 300);
    m_window->addItem(tr("Last 15 minutes"), 900);
    m_window->addItem(tr("Last hour"), 3600);
    m_window->setCurrentIndex(0);
    m_chart->setWindowSeconds(300);

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Route:"), this));
    controls->addWidget(m_route);
    controls->addSpacing(12);
    controls->addWidget(m_window);
    controls->addStretch();

    setFocusProxy(m_summary);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addLayout(controls);
    layout->addWidget(m_summary);
    layout->addWidget(m_chart, 1);

    connect(m_controller->history(), &LatencyHistory::changed, this, &LatencyPage::onSeriesChanged);
    connect(m_route, &QComboBox::activated, this, [this](int) { m_userChoseRoute = true; });
    // Picking a route in the summary charts it.
    connect(m_summary, &QTableView::clicked, this, [this](const QModelIndex &idx) {
        const QString route = m_summaryModel->routeAt(idx.row());
        if (route.isEmpty())
            return;
        m_userChoseRoute = true;
        m_route->setCurrentText(route);
    });
    connect(m_route, &QComboBox::currentTextChanged, this,
            [this](const QString &r) { onSeriesChanged(r); });
    connect(m_window, &QComboBox::currentIndexChanged, this, [this](int) {
        m_chart->setWindowSeconds(m_window->currentData().toInt());
        onSeriesChanged(currentRoute());
    });
    onSeriesChanged({});
}

QString LatencyPage::currentRoute() const
{
    return m_route->currentText();
}

void LatencyPage::refreshRoutes()
{
    const QStringList routes = m_controller->history()->routes();
    if (routes.size() == m_route->count())
        return;
    const QString current = m_route->currentText();
    QSignalBlocker block(m_route);
    m_route->clear();
    m_route->addItems(routes);
    // Until the user picks one, prefer `chat` (the busiest route in most fleets).
    int idx = m_route->findText(m_userChoseRoute ? current : QStringLiteral("chat"));
    if (idx < 0)
        idx = m_route->findText(current);
    m_route->setCurrentIndex(idx >= 0 ? idx : 0);
}

void LatencyPage::onSeriesChanged(const QString &route)
{
    refreshRoutes();
    if (!route.isEmpty() && route != currentRoute())
        return;
    const auto &series = m_controller->history()->series(currentRoute());
    m_chart->setSeries(series);
    const int row = m_summaryModel->rowOf(currentRoute());
    if (row >= 0 && m_summary->currentIndex().row() != row)
        m_summary->selectRow(row);
}

void LatencyPage::updateFreshness()
{
    const qint64 newest = m_controller->newestMs(currentRoute());
    m_banner->update(m_controller->isLive(), newest, m_session->staleReason(),
                     m_session->cachedFrom());
}

} // namespace sb
