#include "ui/latency/decimated_graph.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace sb {

namespace {

constexpr std::size_t kL1 = 16;
constexpr std::size_t kL2 = 256;
constexpr float kInf = std::numeric_limits<float>::infinity();

} // namespace

// ---------------------------------------------------------------- Track

// Where a step's end vertex goes: just before the next step's start, so keys
// stay strictly ascending and the vertical between two steps is in the
// column of their seam.
constexpr double kStepEnd = 1.0 - 1e-6;

bool DecimatedGraph::Track::gapBefore(std::size_t i) const
{
    if (steps) // a step's own end never; a start not right after the last end
        return i % 2 == 0 && keys[i] - keys[i - 1] > 0.5 * step;
    return keys[i] - keys[i - 1] > 1.5 * step;
}

void DecimatedGraph::Track::append(double key, double value)
{
    if (!std::isfinite(key) || (!keys.empty() && key <= keys.back()))
        return;
    push(key, float(value));
    if (steps)
        push(key + step * kStepEnd, float(value));
}

void DecimatedGraph::Track::push(double key, float v)
{
    const std::size_t i = keys.size();
    keys.push_back(key);
    values.push_back(v);
    const bool nan = std::isnan(v);
    if (i > 0 && (nan || std::isnan(values[i - 1]) || gapBefore(i)))
        breaks.push_back(i);
    for (int l = 0; l < 3; ++l) {
        auto &level = levels[l];
        if (i / kPer[l] == level.size())
            level.push_back(Block{kInf, -kInf});
        if (!nan) {
            Block &blk = level.back();
            blk.min = std::min(blk.min, v);
            blk.max = std::max(blk.max, v);
        }
    }
}

void DecimatedGraph::Track::rebuild()
{
    std::vector<double> k;
    std::vector<float> v;
    k.swap(keys);
    v.swap(values);
    // A step is kept whole (from its start), so starts stay at even indexes.
    const std::size_t from = steps ? front & ~std::size_t(1) : front;
    clear();
    keys.reserve(k.size() - from);
    values.reserve(k.size() - from);
    for (std::size_t i = from; i < k.size(); ++i)
        push(k[i], v[i]);
}

void DecimatedGraph::Track::minMax(std::size_t a, std::size_t b, float &mn, float &mx) const
{
    // Levels spelled out: with constant block sizes the alignment tests are
    // masks, not divisions.
    static_assert(kPer[0] == 8 && kPer[1] == 64 && kPer[2] == 512);
    auto block = [&](const Block &blk) {
        mn = std::min(mn, blk.min);
        mx = std::max(mx, blk.max);
    };
    while (a < b) {
        if ((a & 511) == 0 && a + 512 <= b) {
            block(levels[2][a >> 9]);
            a += 512;
        } else if ((a & 63) == 0 && a + 64 <= b) {
            block(levels[1][a >> 6]);
            a += 64;
        } else if ((a & 7) == 0 && a + 8 <= b) {
            block(levels[0][a >> 3]);
            a += 8;
        } else {
            // Up to the next boundary of 8 (or b), one by one.
            const std::size_t stop = std::min(b, (a | 7) + 1);
            for (; a < stop; ++a) {
                const float v = values[a];
                if (!std::isnan(v)) {
                    mn = std::min(mn, v);
                    mx = std::max(mx, v);
                }
            }
        }
    }
}

void DecimatedGraph::Track::dropBefore(double key)
{
    const auto it = std::lower_bound(keys.begin() + std::ptrdiff_t(front), keys.end(), key);
    front = std::size_t(it - keys.begin());
    // Blocks may hold removed points: the drawing never uses a block that
    // starts before `front`. Compact now and then, by whole top-level blocks
    // so no block changes.
    constexpr std::size_t kTop = kPer[2];
    if (front >= 4 * kTop && front * 2 >= keys.size()) {
        const std::size_t drop = front / kTop * kTop;
        keys.erase(keys.begin(), keys.begin() + std::ptrdiff_t(drop));
        values.erase(values.begin(), values.begin() + std::ptrdiff_t(drop));
        for (int l = 0; l < 3; ++l)
            levels[l].erase(levels[l].begin(), levels[l].begin() + std::ptrdiff_t(drop / kPer[l]));
        auto keep = std::lower_bound(breaks.begin(), breaks.end(), drop);
        breaks.erase(breaks.begin(), keep);
        for (auto &br : breaks)
            br -= drop;
        front -= drop;
    }
}

void DecimatedGraph::Track::clear()
{
    front = 0;
    keys.clear();
    values.clear();
    for (auto &level : levels)
        level.clear();
    breaks.clear();
}

// ---------------------------------------------------------------- DecimatedGraph

DecimatedGraph::DecimatedGraph(QCPAxis *keyAxis, QCPAxis *valueAxis)
    : QCPAbstractPlottable(keyAxis, valueAxis)
{
    m_coarse.step = 60.0;
    m_coarse.steps = true;
    setPen(QPen(Qt::black, 1));
    setBrush(Qt::NoBrush);
    setSelectable(QCP::stNone);
    // Vertical 1-px strokes and horizontal joins gain nothing from
    // antialiasing but cost most of the replot; setAntialiased(true) if wanted.
    setAntialiased(false);
}

DecimatedGraph::~DecimatedGraph() = default;

void DecimatedGraph::setKeyStep(double fineStep)
{
    if (!(fineStep > 0))
        return;
    m_fine.step = fineStep;
    m_coarse.step = 60.0 * fineStep;
    m_fine.rebuild(); // the breaks depend on the step
    m_coarse.rebuild();
}

void DecimatedGraph::addData(Resolution resolution, const std::vector<double> &keys,
                             const std::vector<double> &values)
{
    Track &t = resolution == Resolution::Fine ? m_fine : m_coarse;
    const std::size_t n = std::min(keys.size(), values.size());
    t.keys.reserve(t.keys.size() + n);
    t.values.reserve(t.values.size() + n);
    for (std::size_t i = 0; i < n; ++i)
        t.append(keys[i], values[i]);
}

void DecimatedGraph::addData(Resolution resolution, double key, double value)
{
    (resolution == Resolution::Fine ? m_fine : m_coarse).append(key, value);
}

void DecimatedGraph::setData(Resolution resolution, const std::vector<double> &keys,
                             const std::vector<double> &values)
{
    (resolution == Resolution::Fine ? m_fine : m_coarse).clear();
    addData(resolution, keys, values);
}

void DecimatedGraph::removeBefore(double key)
{
    m_fine.dropBefore(key);
    m_coarse.dropBefore(key);
}

void DecimatedGraph::clear()
{
    m_fine.clear();
    m_coarse.clear();
}

std::size_t DecimatedGraph::pointCount(Resolution resolution) const
{
    if (resolution == Resolution::Fine)
        return m_fine.size();
    return (m_coarse.size() + 1) / 2; // an end without its start (trimmed) counts too
}

void DecimatedGraph::rangeOf(const Track &t, double lower, double upper, double &lo, double &hi,
                             bool &found)
{
    const auto a = std::size_t(
        std::lower_bound(t.keys.begin() + std::ptrdiff_t(t.front), t.keys.end(), lower) -
        t.keys.begin());
    const auto b = std::size_t(
        std::upper_bound(t.keys.begin() + std::ptrdiff_t(a), t.keys.end(), upper) - t.keys.begin());
    float mn = kInf;
    float mx = -kInf;
    t.minMax(a, b, mn, mx);
    if (mn > mx)
        return;
    lo = std::min(lo, double(mn));
    hi = std::max(hi, double(mx));
    found = true;
}

QCPRange DecimatedGraph::valueRangeIn(const QCPRange &keyRange, bool &found) const
{
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    found = false;
    rangeOf(m_fine, keyRange.lower, keyRange.upper, lo, hi, found);
    rangeOf(m_coarse, keyRange.lower, keyRange.upper, lo, hi, found);
    return found ? QCPRange(lo, hi) : QCPRange();
}

QCPRange DecimatedGraph::getKeyRange(bool &foundRange, QCP::SignDomain inSignDomain) const
{
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const Track *t : {&m_fine, &m_coarse}) {
        if (t->size() == 0)
            continue;
        lo = std::min(lo, t->keys[t->front]);
        hi = std::max(hi, t->keys.back());
    }
    if (inSignDomain == QCP::sdPositive)
        lo = std::max(lo, std::numeric_limits<double>::min());
    if (inSignDomain == QCP::sdNegative)
        hi = std::min(hi, -std::numeric_limits<double>::min());
    foundRange = lo <= hi;
    return foundRange ? QCPRange(lo, hi) : QCPRange();
}

QCPRange DecimatedGraph::getValueRange(bool &foundRange, QCP::SignDomain inSignDomain,
                                       const QCPRange &inKeyRange) const
{
    // QCustomPlot passes an empty range for "all keys".
    const bool all = inKeyRange.lower == inKeyRange.upper;
    const QCPRange keys = all ? QCPRange(-std::numeric_limits<double>::infinity(),
                                         std::numeric_limits<double>::infinity())
                              : inKeyRange;
    QCPRange r = valueRangeIn(keys, foundRange);
    if (foundRange && inSignDomain == QCP::sdPositive && r.lower <= 0) {
        r.lower = std::numeric_limits<double>::min();
        foundRange = r.upper > 0;
    }
    if (foundRange && inSignDomain == QCP::sdNegative && r.upper >= 0) {
        r.upper = -std::numeric_limits<double>::min();
        foundRange = r.lower < 0;
    }
    return foundRange ? r : QCPRange();
}

double DecimatedGraph::selectTest(const QPointF &pos, bool onlySelectable, QVariant *details) const
{
    Q_UNUSED(details)
    if ((onlySelectable && mSelectable == QCP::stNone) || !mKeyAxis || !mValueAxis)
        return -1;
    const bool horizontal = mKeyAxis->orientation() == Qt::Horizontal;
    const double key = mKeyAxis->pixelToCoord(horizontal ? pos.x() : pos.y());
    double best = -1;
    for (const Track *t : {&m_fine, &m_coarse}) {
        if (t->size() == 0)
            continue;
        auto it = std::lower_bound(t->keys.begin() + std::ptrdiff_t(t->front), t->keys.end(), key);
        for (auto c : {it - 1, it}) {
            if (c < t->keys.begin() + std::ptrdiff_t(t->front) || c >= t->keys.end())
                continue;
            const float v = t->values[std::size_t(c - t->keys.begin())];
            if (std::isnan(v))
                continue;
            const QPointF p =
                horizontal
                    ? QPointF(mKeyAxis->coordToPixel(*c), mValueAxis->coordToPixel(double(v)))
                    : QPointF(mValueAxis->coordToPixel(double(v)), mKeyAxis->coordToPixel(*c));
            const double d = std::hypot(p.x() - pos.x(), p.y() - pos.y());
            if (best < 0 || d < best)
                best = d;
        }
    }
    return best;
}

} // namespace sb
