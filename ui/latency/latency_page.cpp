#include "ui/latency/latency_page.h"

#include "client/latency_stream.h"
#include "core/clock.h"
#include "core/latency_heatmap.h"
#include "core/latency_history.h"
#include "ui/common/stale_banner.h"
#include "ui/latency/chart_export.h"
#include "ui/latency/exemplar_list.h"
#include "ui/latency/heatmap_view.h"
#include "ui/latency/latency_chart.h"
#include "ui/latency/latency_controller.h"
#include "ui/latency/range_box.h"
#include "ui/latency/route_summary_model.h"
#include "ui/latency/series_picker.h"
#include "ui/session.h"
#include "ui/timeline/timeline_overlay.h"

#include <QDateTime>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QShortcut>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <cmath>
#include <limits>
#include <map>

namespace sb {

namespace {

constexpr qint64 kChartKeepMs = 3600 * 1000;
// Spans up to this are loaded from the cache per second, longer ones per minute.
constexpr qint64 kSecondsUpToMs = 6 * 3600 * 1000;
// The newest seconds still hold their sketches in the store (SeriesStore's secondSketchMs).
constexpr qint64 kSecondSketchMs = 15 * 60 * 1000;
constexpr int kHeatmapRows = 48;

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
    : Page(parent), m_session(session), m_controller(controller), m_window(new RangeBox(this)),
      m_hint(new QLabel(this)), m_picker(new SeriesPicker(this)), m_chart(new LatencyChart(this)),
      m_heatmap(new HeatmapView(this)), m_exemplars(new ExemplarList(this)),
      m_export(new QToolButton(this)), m_banner(new StaleBanner(this)),
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
    m_chart->setWindowSeconds(m_window->windowSeconds());
    m_hint->setForegroundRole(QPalette::PlaceholderText);
    // A hint, not a layout constraint: at 1024 px it is cut, never widens the window.
    m_hint->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_hint->setMinimumWidth(0);
    m_picker->setMinimumWidth(180);
    m_export->setObjectName(QStringLiteral("exportButton"));
    m_export->setText(tr("Export"));
    m_export->setIcon(QIcon::fromTheme(QStringLiteral("document-save-as")));
    m_export->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_export->setToolTip(tr("Save the shown range as PNG, PDF or CSV"));
    m_export->setPopupMode(QToolButton::InstantPopup);
    auto *exportMenu = new QMenu(m_export);
    for (const auto &[label, suffix] : {std::pair{tr("Image (PNG)…"), QStringLiteral("png")},
                                        std::pair{tr("Document (PDF)…"), QStringLiteral("pdf")},
                                        std::pair{tr("Data (CSV)…"), QStringLiteral("csv")}}) {
        exportMenu->addAction(label, this, [this, suffix = suffix] {
            const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
            const QString name =
                QStringLiteral("latency-%1.%2")
                    .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")),
                         suffix);
            const QString path = QFileDialog::getSaveFileName(this, tr("Export latency"),
                                                              dir + QLatin1Char('/') + name,
                                                              QStringLiteral("*.%1").arg(suffix));
            if (!path.isEmpty())
                exportTo(path);
        });
    }
    m_export->setMenu(exportMenu);

    auto *controls = m_controls = new QHBoxLayout;
    controls->addWidget(m_window);
    controls->addSpacing(12);
    controls->addWidget(m_hint, 1);
    controls->addWidget(m_export);

    auto *charts = new QSplitter(Qt::Vertical, this);
    charts->setObjectName(QStringLiteral("chartSplit"));
    charts->addWidget(m_chart);
    charts->addWidget(m_heatmap);
    charts->addWidget(m_exemplars);
    charts->setStretchFactor(0, 4);
    charts->setStretchFactor(1, 1);
    charts->setStretchFactor(2, 1);
    m_exemplars->setVisible(false); // until a click on the chart asks
    m_exemplars->setMaximumHeight(fontMetrics().height() * 10);
    m_heatmap->setMinimumHeight(80);
    charts->setChildrenCollapsible(true);

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_summary);
    rightLayout->addLayout(controls);
    rightLayout->addWidget(charts, 1);
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
    connect(m_controller, &LatencyController::historyLoaded, this, &LatencyPage::onHistory);
    connect(m_controller, &LatencyController::sketchesLoaded, this,
            [this](const QString &id, Resolution res, qint64 from, qint64 to,
                   const TimedSketches &sketches) {
                if (id != m_heatCache.id || res != m_heatCache.resolution ||
                    from != m_heatCache.fromMs || to != m_heatCache.toMs)
                    return; // an answer to an older ask
                m_heatCache.sketches = sketches;
                m_heatCache.pending = false;
                refreshHeatmap();
            });
    connect(m_controller, &LatencyController::markersChanged, this,
            [this] { m_chart->setMarkers(m_controller->markers()); });
    m_chart->setMarkers(m_controller->markers());
    connect(m_chart, &LatencyChart::viewChanged, this, [this](qint64 from, qint64 to) {
        if (!m_chart->isFollowing())
            m_window->showCustom(from, to);
        requestHistory(from, to);
        refreshHeatmap();
    });
    m_heatmapTimer.setInterval(1000);
    connect(&m_heatmapTimer, &QTimer::timeout, this, [this] {
        if (isVisible()) {
            refreshHeatmap();
            refreshPicker(); // OTLP instances and bounds, Prometheus staleness
        }
    });
    m_heatmapTimer.start();
    connect(m_controller, &LatencyController::seriesUpdated, this, &LatencyPage::onSeriesUpdated);
    // A click on a spike: the slow requests behind that interval's p99.
    connect(m_chart, &LatencyChart::timeClicked, this, [this](qint64 timeMs) {
        for (const QString &id : m_chart->seriesIds()) {
            bool ok = false;
            const SeriesId sid =
                id.startsWith(QLatin1String("series:")) ? id.mid(7).toUInt(&ok) : 0;
            if (ok) {
                m_controller->requestExemplars(sid, timeMs);
                return;
            }
        }
    });
    connect(m_controller, &LatencyController::exemplarsReady, this,
            [this](SeriesId id, qint64 from, qint64 to, double p99,
                   const std::vector<Exemplar> &list, const QString &note) {
                m_exemplars->show(m_picker->labelOf(SeriesPicker::seriesId(id)), from, to, p99,
                                  list, note, LatencyController::traceUrlTemplate());
            });
    connect(m_controller, &LatencyController::seriesReset, this, [this] {
        m_picker->clear();
        m_chart->clearSeries();
        for (auto &asked : m_askedFrom)
            asked.clear();
        m_pendingHistory = 0;
        m_heatCache = {};
        updateHint();
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
    // The range box tells what the chart shows: a live window, or the span
    // it was dragged, zoomed or paused at (back to the window on Live).
    connect(m_window, &RangeBox::windowChosen, this, [this](int seconds) {
        m_chart->setWindowSeconds(seconds);
        m_chart->goLive();
    });
    connect(m_chart, &LatencyChart::followingChanged, this, [this](bool following) {
        if (following) {
            m_window->showLive();
        } else {
            const auto [from, to] = m_chart->visibleRangeMs();
            m_window->showCustom(from, to);
        }
    });
    refreshPicker();
    updateHint();
}

void LatencyPage::updateHint()
{
    m_hint->setText(m_pendingHistory > 0
                        ? tr("Loading history from the cache…")
                        : tr("Drag to scroll back · wheel to zoom · Space pauses · click a "
                             "legend entry to hide it"));
}

void LatencyPage::requestHistory(qint64 fromMs, qint64 toMs)
{
    const qint64 span = toMs - fromMs;
    if (span <= 0)
        return;
    const Resolution res = span > kSecondsUpToMs ? Resolution::Minute : Resolution::Second;
    auto &asked = m_askedFrom[res == Resolution::Minute ? 1 : 0];
    // A margin of a quarter span, so a slow drag does not ask per step.
    const qint64 need = fromMs - span / 4;
    // What is held stays one stretch up to now: a jump back loads everything
    // between it and what is held (seconds up to a day for a route, as its
    // minutes beyond), so scrolling forward again never meets a hole.
    const qint64 now = clock::nowMs();
    for (const QString &id : m_chart->seriesIds()) {
        const qint64 oldest = m_chart->oldestMs(id);
        qint64 upto = oldest > 0 ? oldest : std::max(toMs, now);
        if (auto it = asked.constFind(id); it != asked.constEnd())
            upto = std::min(upto, it.value());
        if (need >= upto)
            continue;
        asked.insert(id, need);
        std::optional<QString> model, variant;
        QString route;
        if (!keyOf(id, route, model, variant))
            continue;
        // A route merges its series' sketches, which the cache keeps per
        // second only for the last day: older seconds of a route come as minutes.
        qint64 secondsFrom = need;
        if (const qint64 cut = m_controller->sketchesFromMs();
            res == Resolution::Second && isRouteId(id) && cut > need) {
            const qint64 minuteCut = cut - ((cut % 60'000) + 60'000) % 60'000 + 60'000;
            secondsFrom = std::min(upto, minuteCut);
            auto &minutes = m_askedFrom[1];
            const qint64 minutesUpto = std::min(secondsFrom, minutes.value(id, secondsFrom));
            if (need < minutesUpto) {
                minutes.insert(id, need);
                if (m_controller->loadHistory(id, route, model, variant, need, minutesUpto,
                                              Resolution::Minute))
                    ++m_pendingHistory;
            }
        }
        if (secondsFrom < upto &&
            m_controller->loadHistory(id, route, model, variant, secondsFrom, upto, res))
            ++m_pendingHistory;
    }
    updateHint();
}

void LatencyPage::onHistory(const QString &id, Resolution resolution, qint64, qint64,
                            const std::vector<SeriesPoint> &points)
{
    m_pendingHistory = std::max(0, m_pendingHistory - 1);
    m_chart->addHistory(id, resolution, points);
    updateHint();
}

bool LatencyPage::keyOf(const QString &id, QString &route, std::optional<QString> &model,
                        std::optional<QString> &variant) const
{
    if (isRouteId(id)) {
        route = routeOfId(id);
        return true;
    }
    bool ok = false;
    const SeriesId sid = id.mid(7).toUInt(&ok);
    const auto key = ok ? m_controller->store().key(sid) : std::nullopt;
    if (!key)
        return false;
    route = key->route;
    model = key->model;
    variant = key->variant;
    return true;
}

void LatencyPage::askHeatHistory(const QString &id, Resolution res, qint64 step, qint64 first,
                                 qint64 before)
{
    HeatCache &c = m_heatCache;
    const bool same = c.id == id && c.resolution == res;
    if ((same && c.fromMs <= first && c.toMs >= before) || (same && c.pending))
        return;
    QString route;
    std::optional<QString> model, variant;
    if (!keyOf(id, route, model, variant))
        return;
    // Half a span of margin either side, so neither a slow drag nor the
    // store's sketches ageing out (the live edge moving) asks every second.
    const qint64 margin = std::max(step, (before - first) / 2 / step * step);
    HeatCache next{id, res, first - margin, before + margin, {}, true};
    if (!m_controller->loadSketches(id, route, model, variant, next.fromMs, next.toMs, res))
        return;
    m_heatCache = std::move(next);
}

void LatencyPage::refreshHeatmap()
{
    QString id;
    for (const QString &c : m_chart->seriesIds()) {
        if (m_chart->isSeriesVisible(c)) {
            id = c;
            break;
        }
    }
    if (id.isEmpty()) {
        m_heatmap->showEmpty(tr("Pick a route, model or variant to see its latency distribution"));
        return;
    }
    const SeriesStore &store = m_controller->store();
    const auto [from, to] = m_chart->visibleRangeMs();
    // Per second over spans up to 15 minutes, else per minute: the store's
    // sketches where it has them, the cache's rollups before that.
    // Before sketchesFromMs() the cache's seconds hold no sketches: minutes.
    const bool seconds = to - from <= kSecondSketchMs && from >= m_controller->sketchesFromMs();
    Resolution res = seconds ? Resolution::Second : Resolution::Minute;
    qint64 step = seconds ? 1000 : 60'000;
    std::vector<SeriesId> ids;
    if (isRouteId(id)) {
        for (SeriesId s : store.seriesIds()) {
            if (const auto key = store.key(s); key && key->route == routeOfId(id))
                ids.push_back(s);
        }
    } else {
        bool ok = false;
        const SeriesId sid = id.mid(7).toUInt(&ok);
        if (ok)
            ids.push_back(sid);
    }
    // Imported Prometheus steps are kept by the controller, at their own step.
    bool imported = false;
    for (SeriesId s : ids) {
        if (const qint64 stepMs = m_controller->stepMsOf(s); stepMs > 0) {
            res = Resolution::Minute;
            step = std::max(step, stepMs);
            imported = true;
        }
    }
    const qint64 first = from - ((from % step) + step) % step;
    std::vector<TimedSketches> parts;
    qint64 oldest = std::numeric_limits<qint64>::max(); // of the store's sketches
    for (SeriesId s : ids) {
        parts.push_back(m_controller->latencySketches(s, first, to, res));
        if (!parts.back().empty())
            oldest = std::min(oldest, parts.back().front().first);
    }
    // Before the store's oldest sketch: the cache's (older sessions, or
    // seconds the store kept without their sketches).
    const qint64 before = std::min(oldest, to);
    if (!imported && before > first + step) {
        askHeatHistory(id, res, step, first, before);
        if (m_heatCache.id == id && m_heatCache.resolution == res) {
            TimedSketches older;
            for (const auto &[t, sk] : m_heatCache.sketches) {
                if (t >= first && t < before)
                    older.emplace_back(t, sk);
            }
            parts.push_back(std::move(older));
        }
    }
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    qint64 shownFrom = std::numeric_limits<qint64>::max();
    for (const auto &part : parts) {
        for (const auto &[t, sk] : part) {
            if (sk.count() == 0)
                continue;
            shownFrom = std::min(shownFrom, t);
            // The bulk, not the extremes: one 100 s timeout must not squash
            // every band into the bottom rows (it still lands in the top one).
            lo = std::min(lo, std::max(0.1, sk.quantile(0.001)));
            hi = std::max(hi, sk.quantile(0.995));
        }
    }
    if (!(hi > 0)) {
        m_heatmap->showEmpty(
            m_heatCache.pending
                ? tr("Loading the latency distribution of %1 from the cache…")
                      .arg(m_chart->label(id))
                : tr("No latency distribution for %1 in this range").arg(m_chart->label(id)));
        return;
    }
    lo = std::max(0.1, lo / 1.5);
    hi = std::max(lo * 10, hi * 1.5);
    const int columns = int((to - first + step - 1) / step);
    LatencyHeatmap grid(first, step, columns, kHeatmapRows, lo, hi);
    for (const auto &part : parts) {
        for (const auto &[t, sk] : part)
            grid.add(t, sk);
    }
    // The same left and right margins as the charts, so times line up.
    const QMargins m = m_chart->plotMargins();
    m_heatmap->setHorizontalMargins(m.left(), m.right());
    // Say where stored distributions start rather than let an empty
    // stretch read as "no traffic".
    QString title = m_chart->label(id);
    if (m_heatCache.pending)
        title += tr(" · loading older history…");
    else if (shownFrom > from + 2 * step)
        title += tr(" · no distribution stored before %1")
                     .arg(QDateTime::fromMSecsSinceEpoch(shownFrom).toString(
                         QStringLiteral("HH:mm:ss")));
    m_heatmap->setHeatmap(title, grid, from, to);
}

void LatencyPage::exportTo(const QString &path)
{
    QByteArray bytes;
    const QString lower = path.toLower();
    if (lower.endsWith(QStringLiteral(".csv"))) {
        std::vector<chart::ExportSeries> series;
        for (auto &[label, points] : m_chart->visiblePoints())
            series.push_back({label, std::move(points)});
        bytes = chart::csvOf(series).toUtf8();
    } else if (lower.endsWith(QStringLiteral(".pdf"))) {
        m_chart->replotNow();
        bytes = chart::renderPdf(m_chart->plot(), tr("Switchboard latency"));
    } else {
        m_chart->replotNow();
        bytes = chart::renderPng(m_chart->plot());
    }
    chart::writeFileAsync(path, std::move(bytes), this, [this, path](bool ok, const QString &e) {
        emit m_session->message(ok ? tr("Exported %1").arg(path)
                                   : tr("Could not export %1: %2").arg(path, e));
        emit exported(path, ok, e);
    });
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
        if (const auto key = store.key(id)) {
            m_picker->addSeries(id, *key);
            if (const QString note = m_controller->sourceNote(id); !note.isEmpty())
                m_picker->setNote(id, note);
        }
    }
}

void LatencyPage::chartRoute(const QString &route)
{
    m_picker->addRoute(route);
    m_picker->select({SeriesPicker::routeId(route)});
}

void LatencyPage::loadSeries(const QString &id)
{
    // A route starts empty: requestHistory() reads its recent seconds from
    // the cache's rollups (its series merged) like any older range, and live
    // seconds are merged in as they arrive (onSeriesUpdated).
    std::vector<SeriesPoint> points;
    if (!isRouteId(id)) {
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
    for (auto &asked : m_askedFrom) {
        for (auto it = asked.begin(); it != asked.end();)
            it = ids.contains(it.key()) ? std::next(it) : asked.erase(it);
    }
    const auto [from, to] = m_chart->visibleRangeMs();
    if (m_chart->isFollowing()) {
        // The window the chart will show, before its first replot sets it.
        const qint64 now = clock::nowMs();
        requestHistory(now - qint64(m_chart->windowSeconds()) * 1000, now);
    } else {
        requestHistory(from, to);
    }
    refreshHeatmap();
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
        }
    }
}

void LatencyPage::onSeriesUpdated(const SeriesUpdate &update)
{
    for (const auto &[id, key] : update.newSeries) {
        m_picker->addSeries(id, key);
        if (const QString note = m_controller->sourceNote(id); !note.isEmpty())
            m_picker->setNote(id, note);
    }
    QHash<SeriesId, std::vector<SeriesPoint>> byId;
    // A charted route: its series merged second by second (the update holds
    // whole seconds, ordered by second).
    QHash<QString, std::map<qint64, SeriesAggregate>> byRoute;
    const SeriesStore &store = m_controller->store();
    for (const auto &s : update.seconds) {
        const QString id = SeriesPicker::seriesId(s.series);
        if (m_chart->hasSeries(id))
            byId[s.series].push_back(SeriesStore::summarize(s.secondMs, 1000, s.aggregate));
        if (const auto key = store.key(s.series);
            key && m_chart->hasSeries(SeriesPicker::routeId(key->route)))
            byRoute[key->route][s.secondMs].merge(s.aggregate);
    }
    for (auto it = byId.begin(); it != byId.end(); ++it)
        m_chart->appendPoints(SeriesPicker::seriesId(it.key()), it.value());
    for (auto it = byRoute.cbegin(); it != byRoute.cend(); ++it) {
        std::vector<SeriesPoint> points;
        points.reserve(it.value().size());
        for (const auto &[t, a] : it.value())
            points.push_back(SeriesStore::summarize(t, 1000, a));
        m_chart->appendPoints(SeriesPicker::routeId(it.key()), points);
    }
}

void LatencyPage::updateFreshness()
{
    const qint64 newest = m_controller->newestMs(currentRoute());
    const bool live = m_controller->isLive();
    m_banner->update(live, newest, m_session->staleReason(), m_session->cachedFrom());
    m_summaryModel->setLive(live);
    m_chart->setStreamLive(live);
}

void LatencyPage::setTimeline(EventLog *events)
{
    disconnect(m_controller, &LatencyController::markersChanged, this, nullptr);
    auto *overlay = new TimelineOverlay(
        m_chart, events, [c = m_controller] { return c->markers(); }, this);
    connect(m_controller, &LatencyController::markersChanged, overlay, &TimelineOverlay::refresh);
    m_controls->insertWidget(m_controls->indexOf(m_export), overlay->makeKindsButton(this));
}

} // namespace sb
