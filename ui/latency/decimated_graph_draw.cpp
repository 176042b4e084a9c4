// DecimatedGraph's drawing: per-pixel min/max decimation of the visible
// range, drawn as a raster (graphs of one group share one canvas) or as
// vector lines for export, and the legend icon. The data, its tracks and
// ranges are in decimated_graph.cpp.
#include "ui/latency/decimated_graph.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace sb {

namespace {
constexpr float kInf = std::numeric_limits<float>::infinity();
} // namespace

namespace {

// The raster canvas shared by every DecimatedGraph of the thread. Graphs that
// follow each other in a layer (and share a clip rect) write into it in turn,
// each over the last as painting would, and the last of them blits it once:
// compositing is then paid per plot, not per series. Whoever blits leaves the
// touched box transparent again.
struct RasterGroup
{
    QImage canvas;
    QCPPainter *painter = nullptr;
    QRect clip;  // where the canvas' origin goes, in plot coordinates
    QRect dirty; // touched, in canvas coordinates
    bool pending = false;

    void clearDirty()
    {
        uchar *bits = canvas.bits();
        const qsizetype bpl = canvas.bytesPerLine();
        for (int y = dirty.top(); y <= dirty.bottom(); ++y)
            std::memset(bits + y * bpl + dirty.left() * 4, 0, std::size_t(dirty.width()) * 4);
        dirty = QRect();
    }
    void flush()
    {
        if (pending && painter && !dirty.isEmpty())
            painter->drawImage(dirty.topLeft() + clip.topLeft(), canvas, dirty);
        if (!dirty.isEmpty())
            clearDirty();
        pending = false;
        painter = nullptr;
    }
    // A group left by another painter (cannot happen in a normal replot,
    // which always ends its groups): its content is dropped, not misplaced.
    void adopt(QCPPainter *p, const QRect &c)
    {
        if (pending && (painter != p || clip != c)) {
            if (painter == p)
                flush();
            else
                clearDirty();
        }
        if (canvas.width() < c.width() || canvas.height() < c.height()) {
            canvas = QImage(
                QSize(std::max(canvas.width(), c.width()), std::max(canvas.height(), c.height())),
                QImage::Format_ARGB32_Premultiplied);
            canvas.fill(Qt::transparent);
            dirty = QRect();
        }
        painter = p;
        clip = c;
        pending = true;
    }
};

RasterGroup &rasterGroup()
{
    thread_local RasterGroup group;
    return group;
}

} // namespace

void DecimatedGraph::draw(QCPPainter *painter)
{
    m_columns.clear();
    m_runEnds.clear();
    m_lastRaster = false;
    RasterGroup &group = rasterGroup();
    if (mKeyAxis && mValueAxis && mKeyAxis->range().size() > 0) {
        const QCPRange r = mKeyAxis->range();
        const double fineStart =
            m_fine.size() ? m_fine.keys[m_fine.front] : std::numeric_limits<double>::infinity();
        if (m_coarse.size() && r.lower < fineStart)
            decimate(m_coarse, r.lower, std::min(r.upper, fineStart), fineStart <= r.upper);
        if (m_fine.size())
            decimate(m_fine, r.lower, r.upper, false);
    }
    if (!m_columns.empty()) {
        m_lastRaster = drawRaster(painter);
        if (!m_lastRaster) {
            // Paint order: what the group holds goes below us.
            if (group.pending && group.painter == painter)
                group.flush();
            drawVector(painter);
        }
    }
    // The last graph of a group, drawing or not, composites it.
    if (group.pending && group.painter == painter && !nextSiblingContinuesGroup())
        group.flush();
}

bool DecimatedGraph::nextSiblingContinuesGroup() const
{
    QCPLayer *l = layer();
    if (!l)
        return false;
    const QList<QCPLayerable *> kids = l->children();
    const qsizetype me = kids.indexOf(const_cast<DecimatedGraph *>(this));
    if (me < 0)
        return false;
    for (qsizetype j = me + 1; j < kids.size(); ++j) {
        QCPLayerable *k = kids[j];
        if (!k->realVisibility())
            continue;
        auto *g = qobject_cast<DecimatedGraph *>(k);
        return g && g->clipRect() == clipRect() && g->mPen.widthF() <= 1.0 &&
               g->mPen.style() == Qt::SolidLine && g->mPen.brush().style() == Qt::SolidPattern;
    }
    return false;
}

void DecimatedGraph::endRun()
{
    if (m_columns.size() > (m_runEnds.empty() ? 0 : m_runEnds.back()))
        m_runEnds.push_back(m_columns.size());
}

// The columns of the points with keys in [fromKey, toKey] and one either side
// (for the lines entering and leaving the plot); `limited`: none at or after
// toKey (where the fine data takes over from the coarse). Walks column by
// column: the points of one column are found by galloping search and
// summarised by the pyramid, so the cost is about the plot's width.
void DecimatedGraph::decimate(const Track &t, double fromKey, double toKey, bool limited)
{
    QCPAxis *ka = mKeyAxis.data();
    const bool linear = ka->scaleType() == QCPAxis::stLinear;
    const QCPRange kr = ka->range();
    const double p0 = ka->coordToPixel(kr.lower);
    const double scale = (ka->coordToPixel(kr.upper) - p0) / kr.size();
    auto pixelOf = [&](double key) {
        const double px = linear ? p0 + (key - kr.lower) * scale : ka->coordToPixel(key);
        // Far outside the plot (a deep zoom into a long series): clamp, so
        // the int cannot overflow; the line towards it is clipped anyway.
        return std::clamp(px, -1e6, 1e6);
    };
    const bool forward = scale > 0;

    const auto begin = t.keys.begin() + std::ptrdiff_t(t.front);
    std::size_t i = std::size_t(std::lower_bound(begin, t.keys.end(), fromKey) - t.keys.begin());
    if (i > t.front)
        --i;
    std::size_t end = std::size_t(
        (limited ? std::lower_bound(t.keys.begin() + std::ptrdiff_t(i), t.keys.end(), toKey)
                 : std::upper_bound(t.keys.begin() + std::ptrdiff_t(i), t.keys.end(), toKey)) -
        t.keys.begin());
    if (!limited && end < t.keys.size())
        ++end;
    auto nextBreak = std::upper_bound(t.breaks.begin(), t.breaks.end(), i);

    while (i < end) {
        const double px = pixelOf(t.keys[i]);
        const int col = int(std::floor(px));
        // The first point past this column. Points are mostly one step
        // apart, so predict it from the step and correct locally: a key or
        // two read per column (50 long series do not fit in any cache).
        const double edge = forward ? double(col + 1) : double(col);
        auto past = [&](std::size_t k) {
            const double q = pixelOf(t.keys[k]);
            return forward ? q >= edge : q < edge;
        };
        const double edgeKey = linear ? kr.lower + (edge - p0) / scale : ka->pixelToCoord(edge);
        const double ahead = std::ceil((edgeKey - t.keys[i]) / t.step);
        std::size_t lo = i + 1;
        if (ahead > 1)
            lo = i + std::size_t(std::min(ahead, double(end - i)));
        lo = std::clamp(lo, i + 1, end);
        // Fewer points than predicted (a gap): step back while still past.
        while (lo > i + 1 && past(lo - 1)) {
            const std::size_t back = std::min<std::size_t>(lo - (i + 1), 64);
            if (back == 64 && past(lo - 64))
                lo -= 64;
            else
                --lo;
        }
        // More points than predicted (keys closer than the step): gallop on.
        std::size_t step = 1;
        while (lo < end && !past(lo)) {
            const std::size_t next = std::min(end, lo + step);
            if (next < end && !past(next)) {
                lo = next + 1;
                step *= 2;
            } else {
                ++lo;
                step = 1;
            }
        }
        const std::size_t j = std::max(lo, i + 1);
        // [i, j) is this column, cut where the line must break.
        bool open = false;
        Column cur{col, kInf, -kInf, 0, 0};
        while (i < j) {
            while (nextBreak != t.breaks.end() && *nextBreak <= i)
                ++nextBreak;
            const std::size_t segEnd =
                nextBreak != t.breaks.end() && *nextBreak < j ? *nextBreak : j;
            if (std::isnan(t.values[i])) {
                // A NaN stands alone between two breaks: nothing to draw.
                i = segEnd;
            } else {
                if (!open) {
                    cur.first = t.values[i];
                    open = true;
                }
                t.minMax(i, segEnd, cur.min, cur.max);
                cur.last = t.values[segEnd - 1];
                i = segEnd;
            }
            if (segEnd < j || (nextBreak != t.breaks.end() && *nextBreak == segEnd)) {
                // A break at segEnd: close the column part and the run.
                if (open)
                    m_columns.push_back(cur);
                open = false;
                cur = Column{col, kInf, -kInf, 0, 0};
                endRun();
            }
        }
        if (open)
            m_columns.push_back(cur);
    }
    endRun();
}

namespace {

// Writes 1-px spans and lines of one premultiplied colour into the group's
// canvas, clipped to `size`, growing the box of what it touched. Columns are
// written one after another, so the rows a stroke touches are mostly still in
// cache for the next column.
class SpanWriter
{
public:
    SpanWriter(RasterGroup &g, QSize size, QRgb colour)
        : m_bits(reinterpret_cast<QRgb *>(g.canvas.bits())), m_stride(g.canvas.bytesPerLine() / 4),
          m_w(size.width()), m_h(size.height()), m_colour(colour)
    {}

    void vspan(int x, int y0, int y1)
    {
        if (y0 > y1)
            std::swap(y0, y1);
        if (x < 0 || x >= m_w || y1 < 0 || y0 >= m_h)
            return;
        y0 = std::max(y0, 0);
        y1 = std::min(y1, m_h - 1);
        QRgb *p = m_bits + qsizetype(y0) * m_stride + x;
        for (int y = y0; y <= y1; ++y, p += m_stride)
            *p = m_colour;
        m_x0 = std::min(m_x0, x);
        m_x1 = std::max(m_x1, x);
        m_y0 = std::min(m_y0, y0);
        m_y1 = std::max(m_y1, y1);
    }

    // A line between pixel centres, one pixel per step of its longer axis;
    // only the part inside the canvas costs anything.
    void line(int x0, int y0, int x1, int y1)
    {
        const int dx = x1 - x0;
        const int dy = y1 - y0;
        const int steps = std::max(std::abs(dx), std::abs(dy));
        if (steps == 0) {
            vspan(x0, y0, y0);
            return;
        }
        int from = 0;
        int to = steps;
        if (dx != 0) {
            const double a = double(-x0) / dx * steps;
            const double b = double(m_w - 1 - x0) / dx * steps;
            from = std::max(from, int(std::floor(std::min(a, b))));
            to = std::min(to, int(std::ceil(std::max(a, b))));
        }
        for (int k = from; k <= to; ++k) {
            const int x = x0 + int(std::lround(double(dx) * k / steps));
            const int y = y0 + int(std::lround(double(dy) * k / steps));
            vspan(x, y, y);
        }
    }

    QRect box() const
    {
        return m_x0 <= m_x1 ? QRect(QPoint(m_x0, m_y0), QPoint(m_x1, m_y1)) : QRect();
    }

private:
    QRgb *m_bits;
    qsizetype m_stride;
    int m_w;
    int m_h;
    QRgb m_colour;
    int m_x0 = std::numeric_limits<int>::max();
    int m_x1 = std::numeric_limits<int>::min();
    int m_y0 = std::numeric_limits<int>::max();
    int m_y1 = std::numeric_limits<int>::min();
};

// Value to pixel row: a multiply-add on a linear axis (per column, three
// times, for 50 series: coordToPixel's call and switch add up).
class RowMap
{
public:
    explicit RowMap(QCPAxis *axis) : m_axis(axis), m_linear(axis->scaleType() == QCPAxis::stLinear)
    {
        const QCPRange r = axis->range();
        m_p0 = axis->coordToPixel(r.lower);
        m_scale = r.size() > 0 ? (axis->coordToPixel(r.upper) - m_p0) / r.size() : 0;
        m_lower = r.lower;
    }
    int operator()(float v) const
    {
        const double y =
            m_linear ? m_p0 + (double(v) - m_lower) * m_scale : m_axis->coordToPixel(double(v));
        return int(std::floor(std::clamp(y, -1e6, 1e6) + 0.5));
    }

private:
    QCPAxis *m_axis;
    bool m_linear;
    double m_p0 = 0;
    double m_scale = 0;
    double m_lower = 0;
};

} // namespace

bool DecimatedGraph::drawRaster(QCPPainter *painter)
{
    if (painter->modes().testFlag(QCPPainter::pmVectorized) || !painter->paintEngine() ||
        painter->paintEngine()->type() != QPaintEngine::Raster || mPen.widthF() > 1.0 ||
        mPen.style() != Qt::SolidLine || mKeyAxis->orientation() != Qt::Horizontal ||
        mPen.brush().style() != Qt::SolidPattern)
        return false;
    painter->setAntialiasing(false); // also drops QCPPainter's half-pixel shift
    if (!painter->transform().isIdentity() || painter->device()->devicePixelRatioF() != 1.0)
        return false;
    const QRect clip = clipRect();
    if (clip.isEmpty())
        return true;
    RasterGroup &group = rasterGroup();
    group.adopt(painter, clip);
    const RowMap pixelY(mValueAxis.data());
    SpanWriter w(group, clip.size(), qPremultiply(mPen.color().rgba()));
    const int left = clip.left();
    const int top = clip.top();
    std::size_t c = 0;
    for (const std::size_t runEnd : m_runEnds) {
        bool havePrev = false;
        int prevX = 0;
        int prevLast = 0;
        for (; c < runEnd; ++c) {
            const Column &col = m_columns[c];
            const int x = col.x - left;
            int y0 = pixelY(col.min) - top;
            int y1 = pixelY(col.max) - top;
            if (havePrev) {
                if (x == prevX + 1) {
                    // Adjacent: the join is part of this column's stroke.
                    y0 = std::max(y0, prevLast);
                    y1 = std::min(y1, prevLast);
                } else {
                    w.line(prevX, prevLast, x, pixelY(col.first) - top);
                }
            }
            w.vspan(x, y0, y1);
            havePrev = true;
            prevX = x;
            prevLast = pixelY(col.last) - top;
        }
    }
    group.dirty |= w.box();
    return true;
}

void DecimatedGraph::drawVector(QCPPainter *painter)
{
    applyDefaultAntialiasingHint(painter);
    painter->setPen(mPen);
    painter->setBrush(Qt::NoBrush);
    QCPAxis *va = mValueAxis.data();
    const bool horizontal = mKeyAxis->orientation() == Qt::Horizontal;
    std::vector<QPointF> &run = m_vertices;
    std::size_t c = 0;
    for (const std::size_t runEnd : m_runEnds) {
        run.clear();
        double lastY = std::numeric_limits<double>::quiet_NaN();
        for (; c < runEnd; ++c) {
            const Column &col = m_columns[c];
            // An integer coordinate is the column's pixel (QCPPainter shifts by
            // half a pixel itself when antialiasing, so it stays crisp then too).
            const double x = col.x;
            auto vertex = [&](double y) {
                run.push_back(horizontal ? QPointF(x, y) : QPointF(y, x));
                lastY = y;
            };
            const double yMin = va->coordToPixel(double(col.min));
            if (col.min == col.max) {
                vertex(yMin);
                continue;
            }
            const double yMax = va->coordToPixel(double(col.max));
            // Enter the stroke at the end nearer to where the line comes from.
            if (!std::isnan(lastY) && std::abs(lastY - yMax) < std::abs(lastY - yMin)) {
                vertex(yMax);
                vertex(yMin);
            } else {
                vertex(yMin);
                vertex(yMax);
            }
        }
        if (run.size() >= 2)
            painter->drawPolyline(run.data(), int(run.size()));
        else if (run.size() == 1)
            painter->drawPoint(run.front()); // an isolated point still shows
    }
}

void DecimatedGraph::drawLegendIcon(QCPPainter *painter, const QRectF &rect) const
{
    applyDefaultAntialiasingHint(painter);
    painter->setPen(mPen);
    painter->drawLine(
        QLineF(rect.left(), rect.center().y() + 1, rect.right() + 1, rect.center().y() + 1));
}

} // namespace sb
