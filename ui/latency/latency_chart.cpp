#include "ui/latency/latency_chart.h"

#include "ui/common/format.h"
#include "ui/latency/decimated_graph.h"

#include <QDateTime>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>
#include <QStackedLayout>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace sb {

namespace {

constexpr qint64 kKeepMs = 3600 * 1000;
// A series' newest second older than this (wall clock) is not "current".
constexpr qint64 kStaleMs = 5000;

class LatencyTicker : public QCPAxisTicker
{
protected:
    QString getTickLabel(double tick, const QLocale &, QChar, int) override
    {
        return tick <= 0 ? QStringLiteral("0") : formatLatency(tick);
    }
};

class SuffixTicker : public QCPAxisTicker
{
public:
    explicit SuffixTicker(QString suffix) : m_suffix(std::move(suffix)) {}

protected:
    QString getTickLabel(double tick, const QLocale &locale, QChar f, int precision) override
    {
        return QCPAxisTicker::getTickLabel(tick, locale, f, precision) + m_suffix;
    }

private:
    QString m_suffix;
};

// Deterministic across runs (qHash is seeded per process).
quint32 stableHash(const QString &s)
{
    quint32 h = 2166136261u;
    for (QChar c : s) {
        h ^= c.unicode();
        h *= 16777619u;
    }
    return h;
}

const QColor kColors[] = {{0x1f, 0x77, 0xb4}, {0xd6, 0x27, 0x28}, {0x2c, 0xa0, 0x2c},
                          {0xff, 0x7f, 0x0e}, {0x94, 0x67, 0xbd}, {0x8c, 0x56, 0x4b},
                          {0xe3, 0x77, 0xc2}, {0x17, 0xbe, 0xcf}, {0xbc, 0xbd, 0x22},
                          {0x4e, 0x4e, 0xd0}};
constexpr int kColorCount = int(sizeof(kColors) / sizeof(kColors[0]));

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

LatencyChart::Panel panelOf(int line)
{
    switch (line) {
    case LatencyChart::P99:
    case LatencyChart::P95:
    case LatencyChart::P50:
        return LatencyChart::LatencyPanel;
    case LatencyChart::TtftP50:
        return LatencyChart::TtftPanel;
    case LatencyChart::Throughput:
        return LatencyChart::ThroughputPanel;
    default:
        return LatencyChart::RatesPanel;
    }
}

double lineValue(int line, const SeriesPoint &p)
{
    switch (line) {
    case LatencyChart::P99:
        return p.value(SeriesMetric::P99);
    case LatencyChart::P95:
        return p.value(SeriesMetric::P95);
    case LatencyChart::P50:
        return p.value(SeriesMetric::P50);
    case LatencyChart::TtftP50:
        return p.value(SeriesMetric::TtftP50);
    case LatencyChart::Throughput:
        return p.value(SeriesMetric::Throughput);
    case LatencyChart::ErrorRate:
        return 100.0 * p.value(SeriesMetric::ErrorRate);
    default:
        return 100.0 * p.value(SeriesMetric::FallbackShare);
    }
}

// How much lighter than the series' colour a line is drawn (0 = the colour).
double shadeOf(int line)
{
    switch (line) {
    case LatencyChart::P95:
        return 0.35;
    case LatencyChart::P50:
        return 0.6;
    case LatencyChart::FallbackShare:
        return 0.55;
    default:
        return 0.0;
    }
}

QString num(double v, int digits = 1)
{
    return std::isnan(v) ? QStringLiteral("—") : QString::number(v, 'f', digits);
}

QString lat(double v)
{
    return std::isnan(v) ? QStringLiteral("—") : formatLatency(v);
}

QString pct(double fraction)
{
    return std::isnan(fraction) ? QStringLiteral("—") : formatPercent(fraction);
}

} // namespace

struct LatencyChart::Series
{
    QString id;
    QString label;
    QColor color;
    DecimatedGraph *graphs[NB_LINES] = {};
    std::deque<SeriesPoint> points;
};

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
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    QFont big = m_empty->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    m_empty->setFont(big);
    m_legend->setTextFormat(Qt::RichText);
    m_legend->setWordWrap(true);
    m_legend->setToolTip(
        tr("Latency: p99 in the series' colour, p95 and p50 lighter.\n"
           "Errors and fallbacks: error rate in the series' colour, fallback share lighter."));
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
    m_hover->hide();
    m_plot->setMouseTracking(true);
    m_plot->installEventFilter(this);

    // Panels stacked under one time axis.
    auto *group = new QCPMarginGroup(m_plot);
    auto timeTicker = QSharedPointer<QCPAxisTickerDateTime>::create();
    timeTicker->setDateTimeFormat(QStringLiteral("HH:mm:ss"));
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
                });
        auto *cross = new QCPItemStraightLine(m_plot);
        cross->setClipAxisRect(rect);
        cross->point1->setAxes(x, y);
        cross->point2->setAxes(x, y);
        cross->setVisible(false);
        m_cross[p] = cross;
    }
    m_plot->plotLayout()->setRowStretchFactors({3.0, 1.2, 1.2, 1.2});
    m_plot->legend->setVisible(false);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    connect(m_plot, &QCustomPlot::mouseMove, this, &LatencyChart::onMouseMove);
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this](QWheelEvent *) { setFollowing(false); });
    applyPalette();

    m_replotTimer.setInterval(33);
    connect(&m_replotTimer, &QTimer::timeout, this, &LatencyChart::replotIfDirty);
    m_replotTimer.start();
    // The legend's "current" values age even when no data arrives.
    m_legendTimer.setInterval(1000);
    connect(&m_legendTimer, &QTimer::timeout, this, &LatencyChart::updateLegend);
    m_legendTimer.start();
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
    return kColors[stableHash(label) % kColorCount];
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
        const int preferred = int(stableHash(label) % kColorCount);
        for (int i = 0; i < kColorCount; ++i) {
            const QColor c = kColors[(preferred + i) % kColorCount];
            const bool taken = std::any_of(m_series.begin(), m_series.end(),
                                           [&](const auto &o) { return o->color == c; });
            if (!taken || i == kColorCount - 1) {
                fresh->color = c;
                break;
            }
        }
        const QColor base = palette().color(QPalette::Base);
        for (int l = 0; l < NB_LINES; ++l) {
            QCPAxisRect *rect = m_panels[panelOf(l)];
            auto *g =
                new DecimatedGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            g->setName(label);
            g->setPen(QPen(mix(fresh->color, base, shadeOf(l)), 1));
            fresh->graphs[l] = g;
        }
        m_series.push_back(std::move(fresh));
        s = m_series.back().get();
    }
    s->label = label;
    addPoints(*s, points, true);
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
        for (auto *g : s.graphs)
            g->clear();
    }
    std::vector<double> keys;
    std::vector<double> values[NB_LINES];
    keys.reserve(points.size());
    for (const auto &p : points) {
        if (!s.points.empty() && p.timeMs <= s.points.back().timeMs)
            continue; // the graphs only grow to the right
        s.points.push_back(p);
        keys.push_back(double(p.timeMs) / 1000.0);
        for (int l = 0; l < NB_LINES; ++l)
            values[l].push_back(lineValue(l, p));
    }
    if (keys.empty() && !replace)
        return;
    for (int l = 0; l < NB_LINES; ++l)
        s.graphs[l]->addData(DecimatedGraph::Resolution::Fine, keys, values[l]);
    if (!s.points.empty()) {
        const qint64 cut = s.points.back().timeMs - kKeepMs;
        if (s.points.front().timeMs < cut) {
            while (!s.points.empty() && s.points.front().timeMs < cut)
                s.points.pop_front();
            for (auto *g : s.graphs)
                g->removeBefore(double(cut) / 1000.0);
        }
    }
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

void LatencyChart::hideHover()
{
    m_hover->hide();
    for (auto *c : m_cross)
        c->setVisible(false);
    m_dirty = true;
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
    const bool any = std::any_of(m_series.begin(), m_series.end(),
                                 [](const auto &s) { return !s->points.empty(); });
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

void LatencyChart::updateLegend()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QStringList rows;
    for (const auto &s : m_series) {
        QString values;
        if (s->points.empty())
            values = tr("waiting for data");
        else if (s->points.back().timeMs < now - kStaleMs)
            values = tr("no data for %1").arg(formatAge(now - s->points.back().timeMs - 1000));
        else {
            const SeriesPoint &p = s->points.back();
            values =
                tr("p99 %1 · p95 %2 · p50 %3 · %4 req/s · errors %5 · fallbacks %6 · TTFT %7")
                    .arg(lat(lineValue(P99, p)), lat(lineValue(P95, p)), lat(lineValue(P50, p)),
                         num(lineValue(Throughput, p), 0), pct(p.value(SeriesMetric::ErrorRate)),
                         pct(p.value(SeriesMetric::FallbackShare)), lat(lineValue(TtftP50, p)));
        }
        rows << QStringLiteral("<span style='color:%1'>&#9632;</span> <b>%2</b>&nbsp; %3")
                    .arg(s->color.name(), s->label.toHtmlEscaped(), values.toHtmlEscaped());
    }
    m_legend->setText(rows.join(QStringLiteral("<br>")));
}

double LatencyChart::newestKey() const
{
    double newest = 0;
    for (const auto &s : m_series) {
        if (!s->points.empty())
            newest = std::max(newest, double(s->points.back().timeMs) / 1000.0);
    }
    return newest;
}

void LatencyChart::rescaleValues()
{
    const QCPRange keys = m_panels[0]->axis(QCPAxis::atBottom)->range();
    const double floorOf[NB_PANELS] = {10.0, 10.0, 1.0, 1.0};
    double top[NB_PANELS] = {0, 0, 0, 0};
    for (const auto &s : m_series) {
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
        // The chosen window, but no more than the data spans (at least a
        // minute), so a fresh session is not a sliver at the right edge.
        double oldest = newest;
        for (const auto &s : m_series) {
            if (!s->points.empty())
                oldest = std::min(oldest, double(s->points.front().timeMs) / 1000.0);
        }
        const double start =
            std::min(std::max(oldest, newest - m_windowSeconds + 1), newest - 59.0);
        m_syncing = true;
        for (auto *rect : m_panels)
            rect->axis(QCPAxis::atBottom)->setRange(start, newest + 1);
        m_syncing = false;
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

QString LatencyChart::valuesAt(double key) const
{
    const qint64 ms = qint64(std::floor(key)) * 1000;
    QStringList rows{QStringLiteral("<b>%1</b>").arg(formatClock(ms).toHtmlEscaped())};
    for (const auto &s : m_series) {
        auto it = std::lower_bound(s->points.begin(), s->points.end(), ms,
                                   [](const SeriesPoint &p, qint64 t) { return p.timeMs < t; });
        QString values = tr("no data");
        if (it != s->points.end() && it->timeMs == ms) {
            const SeriesPoint &p = *it;
            values =
                tr("p99 %1 · p95 %2 · p50 %3<br>&nbsp;&nbsp;%4 req/s · errors %5 · fallbacks "
                   "%6 · TTFT %7")
                    .arg(lat(lineValue(P99, p)), lat(lineValue(P95, p)), lat(lineValue(P50, p)),
                         num(lineValue(Throughput, p), 0), pct(p.value(SeriesMetric::ErrorRate)),
                         pct(p.value(SeriesMetric::FallbackShare)), lat(lineValue(TtftP50, p)));
        }
        rows << QStringLiteral("<span style='color:%1'>&#9632;</span> %2: %3")
                    .arg(s->color.name(), s->label.toHtmlEscaped(), values);
    }
    return rows.join(QStringLiteral("<br>"));
}

void LatencyChart::hoverAt(const QPoint &pos)
{
    QCPAxis *x = m_panels[0]->axis(QCPAxis::atBottom);
    bool inside = false;
    for (auto *rect : m_panels)
        inside = inside || rect->rect().contains(pos);
    if (!inside || m_series.empty()) {
        hideHover();
        return;
    }
    const double key = std::floor(x->pixelToCoord(pos.x()));
    for (auto *c : m_cross) {
        c->point1->setCoords(key, 0);
        c->point2->setCoords(key, 1);
        c->setVisible(true);
    }
    m_hover->setText(valuesAt(key));
    m_hover->adjustSize();
    int hx = pos.x() + 16;
    if (hx + m_hover->width() > m_plot->width())
        hx = pos.x() - 16 - m_hover->width();
    m_hover->move(std::max(0, hx), std::max(0, pos.y() - m_hover->height() / 2));
    m_hover->show();
    m_hover->raise();
    m_dirty = true;
}

void LatencyChart::onMouseMove(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton)
        setFollowing(false); // dragging back through time
    hoverAt(event->pos());
}

} // namespace sb
