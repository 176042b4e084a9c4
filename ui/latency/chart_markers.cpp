#include "ui/latency/chart_markers.h"

#include <QCoreApplication>
#include <QHash>
#include <QMouseEvent>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace sb {

namespace {

constexpr int kMaxShown = 200;      // beyond this the lines would be a solid block anyway
constexpr int kMaxBands = 100;      // bands past this many would cover the plot
constexpr double kLabelGapPx = 140; // labels closer than this to the previous one are left out
constexpr int kBandAlpha = 56;      // bands tint the plot; the lines stay readable through them

// By core EventKind: local change, others' change, circuit, drill, gap, alert, note.
constexpr QRgb kKindColors[] = {0x3d7fd6, 0xe09a00, 0xd64541, 0x9b59b6,
                                0x8a8a8a, 0xe8590c, 0x2f9e44};

double keyOf(qint64 ms)
{
    return double(ms) / 1000.0;
}

void placeBand(QCPItemRect *r, double from, double to)
{
    r->topLeft->setCoords(from, 1);
    r->bottomRight->setCoords(to, 0);
    r->setVisible(true);
}

std::vector<QCPItemRect *> makeBand(QCustomPlot *plot, const std::vector<QCPAxisRect *> &panels)
{
    std::vector<QCPItemRect *> rects;
    for (QCPAxisRect *rect : panels) {
        auto *r = new QCPItemRect(plot);
        r->setClipAxisRect(rect);
        for (auto *pos : {r->topLeft, r->bottomRight}) {
            pos->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            pos->setTypeY(QCPItemPosition::ptAxisRectRatio);
            pos->setAxisRect(rect);
        }
        r->setPen(Qt::NoPen);
        r->setSelectable(false);
        r->setVisible(false);
        rects.push_back(r);
    }
    return rects;
}

} // namespace

ChartMarkers::ChartMarkers(QCustomPlot *plot, std::vector<QCPAxisRect *> panels)
    : m_plot(plot), m_panels(std::move(panels)), m_line(Qt::darkYellow), m_text(Qt::black)
{}

QColor ChartMarkers::kindColor(int kind)
{
    return kind < 0 || kind >= int(std::size(kKindColors)) ? QColor(kKindColors[1])
                                                           : QColor(kKindColors[kind]);
}

QColor ChartMarkers::colorOf(int kind) const
{
    return kind < 0 || kind >= int(std::size(kKindColors)) ? m_line : kindColor(kind);
}

void ChartMarkers::set(std::vector<ChartMarker> markers)
{
    std::vector<ChartMarker> points, bands;
    for (auto &m : markers)
        (m.isBand() ? bands : points).push_back(std::move(m));
    const auto byTime = [](const ChartMarker &a, const ChartMarker &b) {
        return a.timeMs < b.timeMs;
    };
    std::stable_sort(points.begin(), points.end(), byTime);
    std::stable_sort(bands.begin(), bands.end(), byTime);
    m_markers = std::move(points);
    m_bands = std::move(bands);
}

void ChartMarkers::setColor(const QColor &line, const QColor &text)
{
    m_line = line;
    m_text = text;
    for (auto &items : m_pool)
        items.label->setColor(m_text);
    for (auto &band : m_bandPool)
        band.label->setColor(m_text);
}

QCPItemText *ChartMarkers::makeLabel()
{
    QCPAxisRect *top = m_panels.front();
    auto *label = new QCPItemText(m_plot);
    label->setClipAxisRect(top);
    label->position->setAxes(top->axis(QCPAxis::atBottom), top->axis(QCPAxis::atLeft));
    label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    label->position->setAxisRect(top);
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    label->setPadding(QMargins(3, 1, 3, 1));
    label->setColor(m_text);
    label->setSelectable(false);
    return label;
}

ChartMarkers::Items &ChartMarkers::itemsAt(int index)
{
    while (int(m_pool.size()) <= index) {
        Items items;
        for (QCPAxisRect *rect : m_panels) {
            auto *line = new QCPItemStraightLine(m_plot);
            line->setClipAxisRect(rect);
            line->point1->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            line->point2->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            line->setSelectable(false);
            items.lines.push_back(line);
        }
        items.label = makeLabel();
        m_pool.push_back(std::move(items));
    }
    return m_pool[std::size_t(index)];
}

ChartMarkers::Band &ChartMarkers::bandAt(int index)
{
    while (int(m_bandPool.size()) <= index)
        m_bandPool.push_back({makeBand(m_plot, m_panels), makeLabel()});
    return m_bandPool[std::size_t(index)];
}

void ChartMarkers::layout(const QCPRange &keys)
{
    int b = 0;
    double lastBandLabelPx = -1e9;
    for (const auto &band : m_bands) {
        if (b >= kMaxBands)
            break;
        if (keyOf(band.endMs) < keys.lower || keyOf(band.timeMs) > keys.upper)
            continue;
        QColor fill = colorOf(band.kind);
        fill.setAlpha(kBandAlpha);
        Band &items = bandAt(b);
        for (auto *r : items.rects) {
            r->setBrush(fill);
            placeBand(r, keyOf(band.timeMs), keyOf(band.endMs));
        }
        // Named at the bottom of the top panel, from where it (or the view) starts.
        // Near the right edge it goes left of the band's end, so it is not cut off.
        const double start = std::max(keyOf(band.timeMs), keys.lower);
        const bool flip = m_panels.front()->axis(QCPAxis::atBottom)->coordToPixel(start) >
                          m_panels.front()->right() - kLabelGapPx;
        items.label->position->setCoords(flip ? std::min(keyOf(band.endMs), keys.upper) : start,
                                         1.0);
        items.label->setPositionAlignment((flip ? Qt::AlignRight : Qt::AlignLeft) |
                                          Qt::AlignBottom);
        items.label->setText(band.title);
        const double labelPx = m_panels.front()->axis(QCPAxis::atBottom)->coordToPixel(start);
        const bool room = std::abs(labelPx - lastBandLabelPx) >= kLabelGapPx;
        items.label->setVisible(room);
        if (room)
            lastBandLabelPx = labelPx;
        ++b;
    }
    m_shownBands = b;
    for (std::size_t i = std::size_t(b); i < m_bandPool.size(); ++i) {
        for (auto *r : m_bandPool[i].rects)
            r->setVisible(false);
        m_bandPool[i].label->setVisible(false);
    }

    auto lo = std::lower_bound(m_markers.begin(), m_markers.end(), keys.lower,
                               [](const ChartMarker &m, double k) { return keyOf(m.timeMs) < k; });
    int n = 0;
    double lastLabelPx = -1e9;
    QCPAxis *x = m_panels.front()->axis(QCPAxis::atBottom);
    for (auto it = lo; it != m_markers.end() && keyOf(it->timeMs) <= keys.upper && n < kMaxShown;
         ++it, ++n) {
        Items &items = itemsAt(n);
        const double key = keyOf(it->timeMs);
        const QPen pen(colorOf(it->kind), it->kind < 0 ? 1 : 1.5, Qt::DashLine);
        for (auto *l : items.lines) {
            l->setPen(pen);
            l->point1->setCoords(key, 0);
            l->point2->setCoords(key, 1);
            l->setVisible(true);
        }
        const double px = x->coordToPixel(key);
        const bool room = px - lastLabelPx >= kLabelGapPx;
        items.label->position->setCoords(key, 0.0);
        items.label->setText(it->title);
        // Near the right edge the label goes left of its line, so it is not cut off.
        const bool flip = px > m_panels.front()->right() - kLabelGapPx;
        items.label->setPositionAlignment((flip ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
        items.label->setVisible(room);
        if (room)
            lastLabelPx = px;
    }
    m_shown = n;
    for (std::size_t i = std::size_t(n); i < m_pool.size(); ++i) {
        for (auto *l : m_pool[i].lines)
            l->setVisible(false);
        m_pool[i].label->setVisible(false);
    }
}

const ChartMarker *ChartMarkers::near(double x, double pixels) const
{
    if (m_panels.empty())
        return nullptr;
    QCPAxis *axis = m_panels.front()->axis(QCPAxis::atBottom);
    const ChartMarker *best = nullptr;
    double bestDist = pixels + 1;
    const double key = axis->pixelToCoord(x);
    const double perPixel = std::abs(axis->pixelToCoord(x + 1) - key);
    auto lo = std::lower_bound(m_markers.begin(), m_markers.end(), key - (pixels + 1) * perPixel,
                               [](const ChartMarker &m, double k) { return keyOf(m.timeMs) < k; });
    for (auto it = lo; it != m_markers.end(); ++it) {
        const double d = std::abs(axis->coordToPixel(keyOf(it->timeMs)) - x);
        if (keyOf(it->timeMs) > key + (pixels + 1) * perPixel)
            break;
        if (d <= pixels && d < bestDist) {
            best = &*it;
            bestDist = d;
        }
    }
    if (best)
        return best;
    for (const auto &band : m_bands) {
        if (keyOf(band.timeMs) <= key && key <= keyOf(band.endMs) &&
            (!best || band.endMs - band.timeMs < best->endMs - best->timeMs))
            best = &band;
    }
    return best;
}

ChartRangeDrag::ChartRangeDrag(QCustomPlot *plot, std::vector<QCPAxisRect *> panels,
                               QObject *parent)
    : QObject(parent), m_plot(plot), m_panels(std::move(panels))
{
    m_rects = makeBand(plot, m_panels);
    for (auto *r : m_rects) {
        r->setBrush(QColor(47, 158, 68, 70));
        r->setPen(QPen(QColor(47, 158, 68), 1));
    }
    plot->installEventFilter(this);
}

bool ChartRangeDrag::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_plot)
        return false;
    const auto type = event->type();
    if (type != QEvent::MouseButtonPress && type != QEvent::MouseMove &&
        type != QEvent::MouseButtonRelease)
        return false;
    auto *me = static_cast<QMouseEvent *>(event);
    QCPAxis *x = m_panels.front()->axis(QCPAxis::atBottom);
    const double key = x->pixelToCoord(me->position().x());
    if (type == QEvent::MouseButtonPress) {
        if (me->button() != Qt::LeftButton || !(me->modifiers() & Qt::ShiftModifier) ||
            !m_plot->axisRectAt(me->position()))
            return false;
        m_dragging = true;
        m_fromKey = key;
        return true; // not a pan
    }
    if (!m_dragging)
        return false;
    if (type == QEvent::MouseMove) {
        for (auto *r : m_rects)
            placeBand(r, std::min(m_fromKey, key), std::max(m_fromKey, key));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return true;
    }
    m_dragging = false;
    for (auto *r : m_rects)
        r->setVisible(false);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    const double px = std::abs(x->coordToPixel(key) - x->coordToPixel(m_fromKey));
    if (px >= 4)
        emit rangeSelected(qint64(std::min(m_fromKey, key) * 1000),
                           qint64(std::max(m_fromKey, key) * 1000));
    return true;
}

QString auditMarkerTitle(const QString &action, const QString &target)
{
    // "route/chat" names the route chat.
    const qsizetype slash = target.indexOf(QLatin1Char('/'));
    const QString name = slash >= 0 ? target.mid(slash + 1) : target;
    static const QHash<QString, const char *> titles{
        {QStringLiteral("route.bypass_primary"), QT_TR_NOOP("Fallbacks forced on %1")},
        {QStringLiteral("route.use_primary"), QT_TR_NOOP("Primary model back on %1")},
        {QStringLiteral("fallback.enable"), QT_TR_NOOP("Fallback enabled: %1")},
        {QStringLiteral("fallback.disable"), QT_TR_NOOP("Fallback disabled: %1")},
        {QStringLiteral("model.enable"), QT_TR_NOOP("Model enabled: %1")},
        {QStringLiteral("model.disable"), QT_TR_NOOP("Model disabled: %1")},
        {QStringLiteral("label.move"), QT_TR_NOOP("Label moved on %1")},
        {QStringLiteral("version.create"), QT_TR_NOOP("New version of %1")},
        {QStringLiteral("experiment.create"), QT_TR_NOOP("Experiment created: %1")},
        {QStringLiteral("experiment.update"), QT_TR_NOOP("Experiment changed: %1")},
        {QStringLiteral("experiment.variants"), QT_TR_NOOP("Experiment variants changed: %1")},
        {QStringLiteral("drill.start"), QT_TR_NOOP("Drill started: %1")},
        {QStringLiteral("drill.stop"), QT_TR_NOOP("Drill stopped: %1")},
    };
    if (const auto it = titles.constFind(action); it != titles.constEnd())
        return QCoreApplication::translate("ChartMarkers", it.value()).arg(name);
    if (action.startsWith(QLatin1String("circuit.")))
        return QCoreApplication::translate("ChartMarkers", "Circuit %1: %2")
            .arg(action.mid(8).replace(QLatin1Char('_'), QLatin1Char(' ')), name);
    return QStringLiteral("%1 %2").arg(action, target);
}

} // namespace sb
