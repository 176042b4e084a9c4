#include "ui/latency/latency_chart.h"

#include "core/clock.h"
#include "ui/common/format.h"
#include "ui/latency/chart_markers.h"
#include "ui/latency/chart_style.h"
#include "ui/latency/decimated_graph.h"
#include "ui/latency/latency_chart_series.h"

#include <QDateTime>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>
#include <QStackedLayout>
#include <QUrl>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>
#include <qcustomplot.h>

namespace sb {

using namespace chart;

namespace {

// A series' newest second older than this (wall clock) is not "current".
constexpr qint64 kStaleMs = 5000;

static_assert(int(LatencyChart::NB_LINES) == int(chart::NB_LINES));
static_assert(int(LatencyChart::NB_PANELS) == int(chart::NB_PANELS));

} // namespace

LatencyChart::LatencyChart(QWidget *parent)
    : QWidget(parent), m_plot(new QCustomPlot), m_stack(new QStackedLayout),
      m_empty(new QLabel(this)), m_legend(new QLabel(this)), m_hover(nullptr),
      m_live(new QPushButton(this))
{
    m_plot->setObjectName(QStringLiteral("latencyPlot"));
    m_empty->setObjectName(QStringLiteral("chartEmpty"));
    m_legend->setObjectName(QStringLiteral("chartLegend"));
    m_live->setObjectName(QStringLiteral("liveButton"));
    m_empty->setAlignment(Qt::AlignCenter);
    // It names every series waiting for data: wrapped, so a long list (hidden
    // in the stack too) never makes the chart wider than the window.
    m_empty->setWordWrap(true);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    QFont big = m_empty->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    m_empty->setFont(big);
    m_legend->setTextFormat(Qt::RichText);
    m_legend->setWordWrap(true);
    m_legend->setTextInteractionFlags(Qt::LinksAccessibleByMouse);
    m_legend->setToolTip(
        tr("Click a series to hide or show it.\n"
           "Latency: p99 in the series' colour, p95 and p50 lighter.\n"
           "Errors and fallbacks: error rate in the series' colour, fallback share lighter."));
    connect(m_legend, &QLabel::linkActivated, this, [this](const QString &link) {
        const QString id = QUrl::fromPercentEncoding(link.mid(7).toUtf8());
        setSeriesVisible(id, !isSeriesVisible(id));
    });
    m_live->setToolTip(tr("Follow the newest data (Space pauses and resumes)"));
    m_live->setFocusPolicy(Qt::NoFocus);
    connect(m_live, &QPushButton::clicked, this, &LatencyChart::goLive);
    setFocusPolicy(Qt::StrongFocus);

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_legend, 1);
    top->addWidget(m_live, 0, Qt::AlignTop);
    auto *plotHolder = new QWidget(this);
    auto *holderLayout = new QVBoxLayout(plotHolder);
    holderLayout->setContentsMargins(0, 0, 0, 0);
    holderLayout->addLayout(top);
    holderLayout->addWidget(m_plot, 1);
    m_stack->addWidget(plotHolder);
    m_stack->addWidget(m_empty);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_stack);

    m_hover = new QLabel(m_plot);
    m_hover->setObjectName(QStringLiteral("chartHover"));
    m_hover->setTextFormat(Qt::RichText);
    m_hover->setAutoFillBackground(true);
    m_hover->setFrameShape(QFrame::StyledPanel);
    m_hover->setMargin(4);
    // Where it cannot fit beside the cursor it covers it: a click still goes
    // to the chart (on a spike, for its exemplars), not to the box.
    m_hover->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_hover->hide();
    m_plot->setMouseTracking(true);
    m_plot->installEventFilter(this);

    // Panels stacked under one time axis.
    auto *group = new QCPMarginGroup(m_plot);
    auto timeTicker = QSharedPointer<TimeTicker>::create();
    timeTicker->setDateTimeSpec(Qt::LocalTime);
    timeTicker->setTickCount(6);
    const QString labels[NB_PANELS] = {tr("latency"), tr("TTFT p50"), tr("traffic"),
                                       tr("err · fallb.")};
    for (int p = 0; p < NB_PANELS; ++p) {
        QCPAxisRect *rect = p == 0 ? m_plot->axisRect() : new QCPAxisRect(m_plot);
        if (p > 0)
            m_plot->plotLayout()->addElement(p, 0, rect);
        rect->setMarginGroup(QCP::msLeft | QCP::msRight, group);
        rect->setRangeDrag(Qt::Horizontal);
        rect->setRangeZoom(Qt::Horizontal);
        QCPAxis *x = rect->axis(QCPAxis::atBottom);
        QCPAxis *y = rect->axis(QCPAxis::atLeft);
        x->setTicker(timeTicker);
        x->setTickLabels(p == NB_PANELS - 1);
        if (p == NB_PANELS - 1)
            x->setLabel(timeAxisLabel());
        y->setLabel(labels[p]);
        if (p == LatencyPanel || p == TtftPanel)
            y->setTicker(QSharedPointer<LatencyTicker>::create());
        else if (p == ThroughputPanel)
            y->setTicker(QSharedPointer<SuffixTicker>::create(tr(" req/s")));
        else
            y->setTicker(QSharedPointer<SuffixTicker>::create(QStringLiteral(" %")));
        y->ticker()->setTickCount(p == LatencyPanel ? 5 : 3);
        y->setRange(0, 1);
        m_panels[p] = rect;
        connect(x, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
                [this, x](const QCPRange &r) {
                    if (m_syncing)
                        return;
                    m_syncing = true;
                    for (auto *other : m_panels) {
                        if (other && other->axis(QCPAxis::atBottom) != x)
                            other->axis(QCPAxis::atBottom)->setRange(r);
                    }
                    m_syncing = false;
                    m_dirty = true;
                    if (!m_viewTimer.isActive())
                        m_viewTimer.start();
                });
        auto *cross = new QCPItemStraightLine(m_plot);
        cross->setClipAxisRect(rect);
        cross->point1->setAxes(x, y);
        cross->point2->setAxes(x, y);
        cross->setVisible(false);
        m_cross[p] = cross;
    }
    m_plot->plotLayout()->setRowStretchFactors({3.0, 1.2, 1.2, 1.2});
    m_markers = std::make_unique<ChartMarkers>(
        m_plot, std::vector<QCPAxisRect *>(std::begin(m_panels), std::end(m_panels)));
    // Shift-drag: a time range (for a note band on the incident timeline).
    connect(new ChartRangeDrag(m_plot, {std::begin(m_panels), std::end(m_panels)}, this),
            &ChartRangeDrag::rangeSelected, this, &LatencyChart::rangeSelected);
    m_plot->legend->setVisible(false);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    connect(m_plot, &QCustomPlot::mouseMove, this, &LatencyChart::onMouseMove);
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this](QWheelEvent *) { setFollowing(false); });
    connect(m_plot, &QCustomPlot::mousePress, this,
            [this](QMouseEvent *e) { m_pressAt = e->pos(); });
    connect(m_plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent *e) {
        if ((e->pos() - m_pressAt).manhattanLength() > 4)
            return; // a drag
        if (QCPAxisRect *rect = m_plot->axisRectAt(e->pos()))
            emit timeClicked(
                qint64(rect->axis(QCPAxis::atBottom)->pixelToCoord(e->pos().x()) * 1000));
    });
    applyPalette();

    m_replotTimer.setInterval(33);
    connect(&m_replotTimer, &QTimer::timeout, this, &LatencyChart::replotIfDirty);
    m_replotTimer.start();
    // The legend's "current" values age even when no data arrives.
    m_legendTimer.setInterval(1000);
    connect(&m_legendTimer, &QTimer::timeout, this, &LatencyChart::updateLegend);
    m_legendTimer.start();
    m_viewTimer.setSingleShot(true);
    m_viewTimer.setInterval(250);
    connect(&m_viewTimer, &QTimer::timeout, this, [this] {
        const auto [from, to] = visibleRangeMs();
        emit viewChanged(from, to);
    });
    setFollowing(true);
    updateEmpty();
    updateLegend();
}

LatencyChart::~LatencyChart() = default;

void LatencyChart::applyPalette()
{
    const QColor base = palette().color(QPalette::Base);
    const QColor text = palette().color(QPalette::Text);
    const QColor grid = mix(text, base, 0.85);
    m_plot->setBackground(base);
    for (auto *rect : m_panels) {
        for (auto *axis : rect->axes()) {
            axis->setBasePen(QPen(mix(text, base, 0.5)));
            axis->setTickPen(QPen(mix(text, base, 0.5)));
            axis->setSubTickPen(QPen(mix(text, base, 0.5)));
            axis->setTickLabelColor(text);
            axis->setLabelColor(text);
            axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
        }
    }
    for (auto *c : m_cross)
        c->setPen(QPen(mix(text, base, 0.4), 1, Qt::DashLine));
    // Markers in an amber that reads on dark and light bases alike.
    m_markers->setColor(mix(QColor(0xe0, 0x9a, 0x00), base, 0.2), mix(text, base, 0.2));
    for (auto &s : m_series) {
        for (int l = 0; l < NB_LINES; ++l)
            s->graphs[l]->setPen(QPen(mix(s->color, base, shadeOf(l)), 1));
    }
    m_dirty = true;
}

void LatencyChart::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

QColor LatencyChart::colorFor(const QString &label)
{
    return paletteColor(int(stableHash(label) % quint32(paletteSize())));
}

QColor LatencyChart::colorOf(const QString &id) const
{
    const Series *s = find(id);
    return s ? s->color : QColor();
}

LatencyChart::Series *LatencyChart::find(const QString &id)
{
    for (auto &s : m_series) {
        if (s->id == id)
            return s.get();
    }
    return nullptr;
}

const LatencyChart::Series *LatencyChart::find(const QString &id) const
{
    return const_cast<LatencyChart *>(this)->find(id);
}

QStringList LatencyChart::seriesIds() const
{
    QStringList ids;
    for (const auto &s : m_series)
        ids << s->id;
    return ids;
}

bool LatencyChart::hasSeries(const QString &id) const
{
    return find(id) != nullptr;
}

qint64 LatencyChart::newestMs(const QString &id) const
{
    const Series *s = find(id);
    return s && !s->points.empty() ? s->points.back().timeMs : 0;
}

qint64 LatencyChart::oldestMs(const QString &id) const
{
    const Series *s = find(id);
    return s && !s->points.empty() ? s->points.front().timeMs : 0;
}

void LatencyChart::setSeries(const QString &id, const QString &label,
                             const std::vector<SeriesPoint> &points)
{
    Series *s = find(id);
    if (!s) {
        auto fresh = std::make_unique<Series>();
        fresh->id = id;
        fresh->label = label;
        // The label's own colour, unless a series on screen already has it.
        const int preferred = int(stableHash(label) % quint32(paletteSize()));
        for (int i = 0; i < paletteSize(); ++i) {
            const QColor c = paletteColor(preferred + i);
            const bool taken = std::any_of(m_series.begin(), m_series.end(),
                                           [&](const auto &o) { return o->color == c; });
            if (!taken || i == paletteSize() - 1) {
                fresh->color = c;
                break;
            }
        }
        createGraphs(*fresh);
        m_series.push_back(std::move(fresh));
        s = m_series.back().get();
    }
    s->label = label;
    addPoints(*s, points, true);
}

void LatencyChart::createGraphs(Series &s)
{
    const QColor base = palette().color(QPalette::Base);
    for (int l = 0; l < NB_LINES; ++l) {
        QCPAxisRect *rect = m_panels[panelOf(l)];
        auto *g = new DecimatedGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        g->setName(s.label);
        g->setPen(QPen(mix(s.color, base, shadeOf(l)), 1));
        s.graphs[l] = g;
    }
}

void LatencyChart::appendPoints(const QString &id, const std::vector<SeriesPoint> &points)
{
    if (Series *s = find(id))
        addPoints(*s, points, false);
}

void LatencyChart::addPoints(Series &s, const std::vector<SeriesPoint> &points, bool replace)
{
    if (replace) {
        s.points.clear();
        s.minutes.clear();
        for (auto *g : s.graphs)
            g->clear();
    }
    std::vector<double> keys;
    std::vector<double> values[NB_LINES];
    keys.reserve(points.size());
    bool minutes = false;
    for (const auto &p : points) {
        if (!s.points.empty() && p.timeMs <= s.points.back().timeMs)
            continue; // the graphs only grow to the right
        if (p.durationMs >= 60'000) {
            // A whole minute (older history where the cache keeps no merge
            // per second): drawn as one, before the first second.
            if (s.points.empty() && (s.minutes.empty() || p.timeMs > s.minutes.back().timeMs)) {
                s.minutes.push_back(p);
                minutes = true;
            }
            continue;
        }
        s.points.push_back(p);
        keys.push_back(double(p.timeMs) / 1000.0);
        for (int l = 0; l < NB_LINES; ++l)
            values[l].push_back(lineValue(l, p));
    }
    if (minutes)
        redraw(s, Resolution::Minute);
    if (keys.empty() && !replace && !minutes)
        return;
    for (int l = 0; l < NB_LINES; ++l)
        s.graphs[l]->addData(DecimatedGraph::Resolution::Fine, keys, values[l]);
    if (m_following)
        trimToLive(s);
    m_dirty = true;
    updateEmpty();
    updateLegend();
}

void LatencyChart::removeSeries(const QString &id)
{
    for (auto it = m_series.begin(); it != m_series.end(); ++it) {
        if ((*it)->id == id) {
            for (auto *g : (*it)->graphs)
                m_plot->removePlottable(g);
            m_series.erase(it);
            break;
        }
    }
    m_dirty = true;
    updateEmpty();
    updateLegend();
}

void LatencyChart::clearSeries()
{
    while (!m_series.empty())
        removeSeries(m_series.front()->id);
}

void LatencyChart::setWindowSeconds(int seconds)
{
    m_windowSeconds = std::max(10, seconds);
    m_dirty = true;
}

int LatencyChart::pointCount() const
{
    int n = 0;
    for (const auto &s : m_series) {
        for (const auto &p : s->points)
            n += std::isnan(lineValue(P99, p)) ? 0 : 1;
    }
    return n;
}

void LatencyChart::pause()
{
    setFollowing(false);
}

void LatencyChart::goLive()
{
    setFollowing(true);
}

void LatencyChart::setFollowing(bool on)
{
    const bool changed = on != m_following;
    m_following = on;
    m_live->setText(on ? tr("● Live") : tr("Paused — back to live"));
    m_live->setEnabled(!on);
    m_dirty = true;
    if (changed)
        emit followingChanged(on);
}

void LatencyChart::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space) {
        setFollowing(!m_following);
        return;
    }
    QWidget::keyPressEvent(event);
}

bool LatencyChart::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot && event->type() == QEvent::Leave)
        hideHover();
    return QWidget::eventFilter(watched, event);
}

QString LatencyChart::emptyText() const
{
    return m_empty->text();
}

bool LatencyChart::isShowingEmpty() const
{
    return m_stack->currentWidget() == m_empty;
}

void LatencyChart::updateEmpty()
{
    const bool any = std::any_of(m_series.begin(), m_series.end(), [](const auto &s) {
        return !s->points.empty() || !s->minutes.empty();
    });
    if (m_series.empty())
        m_empty->setText(tr("Waiting for data — pick a route, model or variant on the left"));
    else {
        QStringList names;
        for (const auto &s : m_series)
            names << s->label;
        m_empty->setText(tr("Waiting for data for %1…").arg(names.join(QStringLiteral(", "))));
    }
    m_stack->setCurrentIndex(any ? 0 : 1);
}

void LatencyChart::setStreamLive(bool live)
{
    if (live == m_streamLive)
        return;
    m_streamLive = live;
    updateLegend();
}

void LatencyChart::updateLegend()
{
    const qint64 now = clock::nowMs();
    QStringList rows;
    for (const auto &s : m_series) {
        QString values;
        if (s->points.empty() && !s->minutes.empty()) { // imported or cached history only
            const SeriesPoint &m = s->minutes.back();
            values =
                tr("per-minute history up to %1 · p99 %2 · p95 %3 · p50 %4")
                    .arg(QDateTime::fromMSecsSinceEpoch(m.timeMs + 60'000)
                             .toString(QStringLiteral("HH:mm")),
                         lat(lineValue(P99, m)), lat(lineValue(P95, m)), lat(lineValue(P50, m)));
        } else if (s->points.empty())
            values = tr("waiting for data");
        else if (!m_streamLive || s->points.back().timeMs < now - kStaleMs)
            values =
                tr("stopped · last data %1").arg(formatAge(now - s->points.back().timeMs - 1000));
        else {
            const SeriesPoint &p = s->points.back();
            values =
                tr("p99 %1 · p95 %2 · p50 %3 · %4 req/s · errors %5 · fallbacks %6 · TTFT %7")
                    .arg(lat(lineValue(P99, p)), lat(lineValue(P95, p)), lat(lineValue(P50, p)),
                         num(lineValue(Throughput, p), 0), pct(p.value(SeriesMetric::ErrorRate)),
                         pct(p.value(SeriesMetric::FallbackShare)), lat(lineValue(TtftP50, p)));
        }
        // The name is a link that toggles the series; a hidden one is greyed.
        const QString link =
            QStringLiteral("toggle:") + QString::fromUtf8(QUrl::toPercentEncoding(s->id));
        const QString text =
            palette().color(s->visible ? QPalette::Text : QPalette::PlaceholderText).name();
        rows << QStringLiteral("<a href='%1' style='text-decoration:none; color:%2'>"
                               "<span style='color:%3'>%4</span> <b>%5</b></a>&nbsp; %6")
                    .arg(link, text, s->visible ? s->color.name() : text,
                         s->visible ? QStringLiteral("&#9632;") : QStringLiteral("&#9633;"),
                         s->label.toHtmlEscaped(),
                         s->visible ? values.toHtmlEscaped() : tr("hidden — click to show"));
    }
    m_legend->setText(rows.join(QStringLiteral("<br>")));
}

double LatencyChart::newestKey() const
{
    double newest = 0;
    for (const auto &s : m_series) {
        if (!s->points.empty())
            newest = std::max(newest, double(s->points.back().timeMs) / 1000.0);
        else if (!s->minutes.empty()) // minute history only (Prometheus): to its end
            newest = std::max(newest, double(s->minutes.back().timeMs + 60'000) / 1000.0 - 1);
    }
    return newest;
}

void LatencyChart::rescaleValues()
{
    const QCPRange keys = m_panels[0]->axis(QCPAxis::atBottom)->range();
    const double floorOf[NB_PANELS] = {10.0, 10.0, 1.0, 1.0};
    double top[NB_PANELS] = {0, 0, 0, 0};
    for (const auto &s : m_series) {
        if (!s->visible)
            continue;
        for (int l = 0; l < NB_LINES; ++l) {
            bool found = false;
            const QCPRange r = s->graphs[l]->valueRangeIn(keys, found);
            if (found)
                top[panelOf(l)] = std::max(top[panelOf(l)], r.upper);
        }
    }
    for (int p = 0; p < NB_PANELS; ++p) {
        double upper = std::max(floorOf[p], top[p] * 1.15);
        if (p == RatesPanel)
            upper = std::min(upper, 105.0);
        m_panels[p]->axis(QCPAxis::atLeft)->setRange(0, upper);
    }
}

void LatencyChart::replotIfDirty()
{
    if (!m_dirty || !isVisible())
        return;
    m_dirty = false;
    const double newest = newestKey();
    if (m_following && newest > 0) {
        // Always the whole chosen window: "Last 15 minutes" shows 15 minutes,
        // with a fresh session's data at the right edge rather than stretched.
        const double start = newest + 1 - m_windowSeconds;
        m_syncing = true;
        for (auto *rect : m_panels)
            rect->axis(QCPAxis::atBottom)->setRange(start, newest + 1);
        m_syncing = false;
        if (!m_viewTimer.isActive())
            m_viewTimer.start();
    }
    m_markers->layout(m_panels[0]->axis(QCPAxis::atBottom)->range());
    // As many value ticks as the panel has room for (short panels overlap otherwise).
    for (int p = 0; p < NB_PANELS; ++p) {
        // One step (two labels, at 0 and near the top) on a panel under 36 px.
        const int room = std::max(1, m_panels[p]->height() / 18);
        const auto &ticker = m_panels[p]->axis(QCPAxis::atLeft)->ticker();
        ticker->setTickCount(std::min(p == LatencyPanel ? 5 : 3, room));
        ticker->setTickStepStrategy(room < 2 ? QCPAxisTicker::tssMeetTickCount
                                             : QCPAxisTicker::tssReadability);
    }
    rescaleValues();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LatencyChart::replotNow()
{
    m_dirty = true;
    replotIfDirty();
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
}

} // namespace sb
