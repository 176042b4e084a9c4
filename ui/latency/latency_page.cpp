#include "ui/latency/latency_page.h"

#include "client/latency_stream.h"
#include "core/latency_history.h"
#include "ui/common/stale_banner.h"
#include "ui/latency/latency_chart.h"
#include "ui/latency/latency_controller.h"
#include "ui/latency/route_summary_model.h"
#include "ui/latency/series_picker.h"
#include "ui/session.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace sb {

namespace {

constexpr qint64 kChartKeepMs = 3600 * 1000;

// The per-route history's points in the chart's terms.
SeriesPoint toSeriesPoint(const LatencyPoint &p)
{
    SeriesPoint s;
    s.timeMs = p.secondMs;
    s.durationMs = 1000;
    s.count = p.count;
    s.errors = p.errors;
    s.fallbacks = p.fallbacks;
    s.latencyCount = p.count > p.errors ? p.count - p.errors : 0;
    s.p50 = float(p.p50);
    s.p95 = float(p.p95);
    s.p99 = float(p.p99);
    s.ttftP50 = float(p.ttftP50);
    s.ttftCount = p.ttftP50 > 0 ? s.latencyCount : 0;
    return s;
}

bool isRouteId(const QString &id)
{
    return id.startsWith(QStringLiteral("route:"));
}

QString routeOfId(const QString &id)
{
    return id.mid(6);
}

} // namespace

LatencyPage::LatencyPage(Session *session, LatencyController *controller, QWidget *parent)
    : Page(parent), m_session(session), m_controller(controller), m_window(new QComboBox(this)),
      m_hint(new QLabel(this)), m_picker(new SeriesPicker(this)), m_chart(new LatencyChart(this)),
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
    m_window->setObjectName(QStringLiteral("chartWindow"));
    m_window->addItem(tr("Last 5 minutes"), 300);
    m_window->addItem(tr("Last 15 minutes"), 900);
    m_window->addItem(tr("Last hour"), 3600);
    m_window->setCurrentIndex(0);
    m_chart->setWindowSeconds(300);
    m_hint->setText(tr("Drag to scroll back · wheel to zoom · Space pauses"));
    m_hint->setForegroundRole(QPalette::PlaceholderText);
    m_picker->setMinimumWidth(180);

    auto *controls = new QHBoxLayout;
    controls->addWidget(m_window);
    controls->addSpacing(12);
    controls->addWidget(m_hint);
    controls->addStretch();

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_summary);
    rightLayout->addLayout(controls);
    rightLayout->addWidget(m_chart, 1);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_picker);
    split->addWidget(right);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({200, 1000});

    setFocusProxy(m_summary);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(split, 1);

    for (QWidget *w :
         {static_cast<QWidget *>(m_summary), static_cast<QWidget *>(m_picker->tree())}) {
        auto *space =
            new QShortcut(QKeySequence(Qt::Key_Space), w, nullptr, nullptr, Qt::WidgetShortcut);
        connect(space, &QShortcut::activated, this, [this] {
            if (m_chart->isFollowing())
                m_chart->pause();
            else
                m_chart->goLive();
        });
    }

    connect(m_controller->history(), &LatencyHistory::changed, this,
            &LatencyPage::onHistoryChanged);
    connect(m_controller, &LatencyController::seriesUpdated, this, &LatencyPage::onSeriesUpdated);
    connect(m_controller, &LatencyController::seriesReset, this, [this] {
        m_picker->clear();
        m_chart->clearSeries();
        m_userChose = false;
    });
    connect(m_picker, &SeriesPicker::selectionChanged, this, &LatencyPage::onSelection);
    connect(m_picker->tree(), &QAbstractItemView::pressed, this, [this] { m_userChose = true; });
    // The summary's current row is charted, by mouse or by arrow keys.
    connect(m_summary->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                const QString route = m_summaryModel->routeAt(current.row());
                if (route.isEmpty())
                    return;
                m_userChose = true;
                m_summaryRoute = route;
                chartRoute(route);
            });
    // A refresh that adds a route resets the model: put the user's row back.
    connect(m_summaryModel, &QAbstractItemModel::modelReset, this, [this] {
        const int row = m_summaryModel->rowOf(m_summaryRoute);
        if (row < 0)
            return;
        QSignalBlocker block(m_summary->selectionModel());
        m_summary->selectionModel()->setCurrentIndex(m_summaryModel->index(row, 0),
                                                     QItemSelectionModel::ClearAndSelect |
                                                         QItemSelectionModel::Rows);
    });
    connect(m_window, &QComboBox::currentIndexChanged, this,
            [this](int) { m_chart->setWindowSeconds(m_window->currentData().toInt()); });
    refreshPicker();
}

QString LatencyPage::currentRoute() const
{
    for (const auto &id : m_picker->selectedIds()) {
        if (isRouteId(id))
            return routeOfId(id);
        bool ok = false;
        const SeriesId sid = id.mid(7).toUInt(&ok);
        if (const auto key = ok ? m_controller->store().key(sid) : std::nullopt)
            return key->route;
    }
    return {};
}

void LatencyPage::refreshPicker()
{
    for (const auto &route : m_controller->history()->routes())
        m_picker->addRoute(route);
    const SeriesStore &store = m_controller->store();
    for (SeriesId id : store.seriesIds()) {
        if (const auto key = store.key(id))
            m_picker->addSeries(id, *key);
    }
}

void LatencyPage::chartRoute(const QString &route)
{
    m_picker->addRoute(route);
    m_picker->select({SeriesPicker::routeId(route)});
}

void LatencyPage::loadSeries(const QString &id)
{
    std::vector<SeriesPoint> points;
    if (isRouteId(id)) {
        for (const auto &p : m_controller->history()->series(routeOfId(id)))
            points.push_back(toSeriesPoint(p));
    } else {
        bool ok = false;
        const SeriesId sid = id.mid(7).toUInt(&ok);
        const SeriesStore &store = m_controller->store();
        const qint64 newest = store.newestMs();
        if (ok && newest > 0)
            points = store.range(sid, newest - kChartKeepMs, newest + 1000, Resolution::Second);
    }
    m_chart->setSeries(id, m_picker->labelOf(id), points);
}

void LatencyPage::onSelection(const QStringList &ids)
{
    for (const auto &id : m_chart->seriesIds()) {
        if (!ids.contains(id))
            m_chart->removeSeries(id);
    }
    for (const auto &id : ids) {
        if (!m_chart->hasSeries(id))
            loadSeries(id);
    }
    // The summary follows the first charted route, without charting it again.
    const int row = m_summaryModel->rowOf(currentRoute());
    if (row >= 0 && m_summary->currentIndex().row() != row) {
        QSignalBlocker block(m_summary->selectionModel());
        m_summary->selectionModel()->setCurrentIndex(m_summaryModel->index(row, 0),
                                                     QItemSelectionModel::ClearAndSelect |
                                                         QItemSelectionModel::Rows);
        m_summaryRoute = currentRoute();
    }
    updateFreshness();
}

void LatencyPage::onHistoryChanged(const QString &route)
{
    m_picker->addRoute(route);
    if (!m_userChose) {
        // Until the user picks, chart `chat` (the busiest route in most fleets),
        // else the first route seen, switching to `chat` once it shows up.
        const QStringList routes = m_controller->history()->routes();
        const QStringList selected = m_picker->selectedIds();
        QString pick = routes.contains(QStringLiteral("chat")) ? QStringLiteral("chat") : route;
        if (!selected.isEmpty() && !routes.contains(QStringLiteral("chat")))
            pick = routeOfId(selected.front());
        if (selected != QStringList{SeriesPicker::routeId(pick)}) {
            m_picker->select({SeriesPicker::routeId(pick)});
            return;
        }
    }
    const QString id = SeriesPicker::routeId(route);
    if (!m_chart->hasSeries(id))
        return;
    const auto &series = m_controller->history()->series(route);
    if (series.empty())
        return;
    if (m_chart->newestMs(id) == 0 || series.front().secondMs < m_chart->oldestMs(id)) {
        loadSeries(id); // older history (the cache) arrived: draw it all again
        return;
    }
    const qint64 newest = m_chart->newestMs(id);
    auto it = series.end();
    while (it != series.begin() && std::prev(it)->secondMs > newest)
        --it;
    std::vector<SeriesPoint> fresh;
    for (; it != series.end(); ++it)
        fresh.push_back(toSeriesPoint(*it));
    m_chart->appendPoints(id, fresh);
}

void LatencyPage::onSeriesUpdated(const SeriesUpdate &update)
{
    for (const auto &[id, key] : update.newSeries)
        m_picker->addSeries(id, key);
    QHash<SeriesId, std::vector<SeriesPoint>> byId;
    for (const auto &s : update.seconds) {
        const QString id = SeriesPicker::seriesId(s.series);
        if (m_chart->hasSeries(id))
            byId[s.series].push_back(SeriesStore::summarize(s.secondMs, 1000, s.aggregate));
    }
    for (auto it = byId.begin(); it != byId.end(); ++it)
        m_chart->appendPoints(SeriesPicker::seriesId(it.key()), it.value());
}

void LatencyPage::updateFreshness()
{
    const qint64 newest = m_controller->newestMs(currentRoute());
    m_banner->update(m_controller->isLive(), newest, m_session->staleReason(),
                     m_session->cachedFrom());
}

} // namespace sb
