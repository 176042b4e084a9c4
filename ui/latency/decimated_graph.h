#pragma once

// DecimatedGraph: a QCustomPlot plottable that draws one long series fast and
// truthfully. Each pixel column of the plot gets one vertical stroke from the
// lowest to the highest value that falls into it (per-pixel min/max
// decimation), joined to its neighbours, so a single-second spike survives
// any zoom level and a replot costs about the plot's width, not the number of
// points. Ranges of points are summarised by a two-level min/max pyramid (16
// and 256 points per block), used wherever a block lies inside one column.
//
// On a raster device (the screen, PNG export) the columns are written straight
// into a transparent image and blitted once: QPainter's per-primitive cost is
// what makes noisy data slow (tall strokes in every column), and writing a few
// thousand 1-px spans by hand is ~10x cheaper. Vector output (PDF), a scaled
// painter (HiDPI, scaled export) or a pen wider than 1 px goes through
// QPainter polylines instead: same columns, same look, slower.
//
// Two resolutions: per-second points (live data and recent history) and
// per-minute points (older history from the cache's rollups or Prometheus).
// A second is drawn as a point joined to its neighbours; a minute is an
// aggregate of [t, t + 60 s) and is drawn as a step over its whole minute
// (held from its start to its end, then a vertical to the next minute), so
// one slow minute is one minute wide and the line reaches its end. Minutes
// are drawn only before the first second, so the finer data wins where both
// exist. A gap (seconds further apart than 1.5 steps, a minute missing, or a
// NaN value) is never bridged by a line: a disconnect shows as blank columns.
//
// Keys are usually seconds since the epoch (QCPAxisTickerDateTime); the step
// of the fine resolution is setKeyStep() (1 by default), the coarse one 60
// times that. Lines are drawn with the pen as set (use 1-px pens without alpha
// for live charts); antialiasing is off by default (setAntialiased(true) to
// turn it on).
//
// Known gaps: the key axis must be linear (a log key axis is drawn through
// coordToPixel per point, slower but right); no scatter symbols, fills or
// selection decoration; the resolution seam is not joined by a line; on a
// HiDPI screen (device pixel ratio != 1) drawing takes the slower QPainter
// path; the raster path ignores antialiasing (1-px lines need none).

#include <cstdint>
#include <qcustomplot.h>
#include <vector>

namespace sb {

class DecimatedGraph : public QCPAbstractPlottable
{
    Q_OBJECT
public:
    enum class Resolution
    {
        Fine,  // per second
        Coarse // per minute
    };

    // Registers with the plot of keyAxis, which owns it (as QCPGraph does).
    DecimatedGraph(QCPAxis *keyAxis, QCPAxis *valueAxis);
    ~DecimatedGraph() override;

    void setKeyStep(double fineStep);
    double keyStep() const { return m_fine.step; }

    // Appends points in ascending key order; keys at or before the last one
    // already held (for minutes: before the end of the last minute) are
    // dropped (data only grows to the right, as live data does). NaN values
    // are gaps.
    void addData(Resolution resolution, const std::vector<double> &keys,
                 const std::vector<double> &values);
    void addData(Resolution resolution, double key, double value);
    // Replaces one resolution's data.
    void setData(Resolution resolution, const std::vector<double> &keys,
                 const std::vector<double> &values);
    // Drops points with keys before `key` (both resolutions).
    void removeBefore(double key);
    void clear();
    // Points held (a minute counts once, though it is kept as its step's two ends).
    std::size_t pointCount(Resolution resolution) const;

    // Value range of the points with keys in [lower, upper], NaN ignored.
    QCPRange valueRangeIn(const QCPRange &keyRange, bool &found) const;

    // QCPAbstractPlottable
    double selectTest(const QPointF &pos, bool onlySelectable,
                      QVariant *details = nullptr) const override;
    QCPRange getKeyRange(bool &foundRange,
                         QCP::SignDomain inSignDomain = QCP::sdBoth) const override;
    QCPRange getValueRange(bool &foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth,
                           const QCPRange &inKeyRange = QCPRange()) const override;

    // Pixel columns drawn by the last replot (for tests and benchmarks): about
    // the plot's width however many points there are.
    std::size_t lastColumnCount() const { return m_columns.size(); }
    // Whether the last replot went through the direct raster path.
    bool lastDrawRaster() const { return m_lastRaster; }

protected:
    void draw(QCPPainter *painter) override;
    void drawLegendIcon(QCPPainter *painter, const QRectF &rect) const override;

private:
    struct Block
    {
        float min; // NaN ignored; +inf / -inf when the block holds only NaN
        float max;
    };

    // One resolution: keys and values from index `front` on (points before it
    // were removed; indexes, and so the blocks, never shift until compacted).
    // `breaks` lists, ascending, every index a line must not reach from the
    // point before it: after a gap in the keys, at a NaN and just after it.
    // A `steps` track holds each point as two, at its start and just before
    // its end (start + step): even indexes are starts, odd ones ends.
    struct Track
    {
        static constexpr std::size_t kPer[3] = {8, 64, 512};

        double step = 1.0;
        bool steps = false;
        std::size_t front = 0;
        std::vector<double> keys;
        std::vector<float> values;
        std::vector<Block> levels[3]; // per 8, 64 and 512 points
        std::vector<std::size_t> breaks;

        std::size_t size() const { return keys.size() - front; }
        bool gapBefore(std::size_t i) const;   // between point i-1 and i
        void append(double key, double value); // one point (steps: its step)
        void push(double key, float value);    // one key, as held
        void dropBefore(double key);
        void clear();
        void rebuild();
        // Min and max of values[a, b), NaN ignored, through the pyramid.
        void minMax(std::size_t a, std::size_t b, float &mn, float &mx) const;
    };

    // One pixel column of decimated data: the values' extremes, and the first
    // and last value (where the lines to its neighbours attach).
    struct Column
    {
        int x;
        float min;
        float max;
        float first;
        float last;
    };

    // Appends the columns of [fromKey, toKey] to m_columns, runs split at breaks.
    void decimate(const Track &track, double fromKey, double toKey, bool limited);
    void endRun();
    bool drawRaster(QCPPainter *painter);
    void drawVector(QCPPainter *painter);
    // Whether the next graph of this layer continues our raster group.
    bool nextSiblingContinuesGroup() const;
    static void rangeOf(const Track &t, double lower, double upper, double &lo, double &hi,
                        bool &found);

    Track m_fine;
    Track m_coarse;
    // Reused across replots.
    std::vector<Column> m_columns;
    std::vector<std::size_t> m_runEnds; // m_columns indexes where a run ends
    std::vector<QPointF> m_vertices;
    bool m_lastRaster = false;
};

} // namespace sb
