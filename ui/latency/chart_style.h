#pragma once

// What the latency charts share: which panel a line lives in and its value
// for a point, series colours (a function of the label, so a series keeps its
// colour across sessions), shades, the axis tickers (ms/s latency, suffixed
// rates, a time axis whose format follows the span shown, in local time) and
// the short value formats used in the legend, hover and exports.

#include "core/series_store.h"

#include <QColor>
#include <QDate>
#include <QString>
#include <qcustomplot.h>

namespace sb::chart {

// The lines drawn per series, in drawing order (p99 first); mirrors LatencyChart::Line.
enum Line
{
    P99,
    P95,
    P50,
    TtftP50,
    Throughput,
    ErrorRate,
    FallbackShare,
    NB_LINES
};
enum Panel
{
    LatencyPanel,
    TtftPanel,
    ThroughputPanel,
    RatesPanel,
    NB_PANELS
};

Panel panelOf(int line);
// The value drawn for a line (ms, req/s or %), NaN for a gap.
double lineValue(int line, const SeriesPoint &p);
// How much lighter than the series' colour a line is drawn (0 = the colour).
double shadeOf(int line);
QString lineName(int line); // "p99", "TTFT p50", "req/s", ...

quint32 stableHash(const QString &s); // the same in every run (qHash is seeded)
QColor paletteColor(int index);
int paletteSize();
QColor mix(const QColor &a, const QColor &b, double t);

QString num(double v, int digits = 1);
QString lat(double v);
QString pct(double fraction);

class LatencyTicker : public QCPAxisTicker
{
protected:
    QString getTickLabel(double tick, const QLocale &, QChar, int) override;
};

class SuffixTicker : public QCPAxisTicker
{
public:
    explicit SuffixTicker(QString suffix) : m_suffix(std::move(suffix)) {}

protected:
    QString getTickLabel(double tick, const QLocale &locale, QChar f, int precision) override;

private:
    QString m_suffix;
};

// Local time, with seconds only when the span is a few minutes and the day
// once it covers more than one. When the range shown is not today (scrolled
// back) or spans midnight, the first tick and the first tick of each new day
// carry the date ("Tue 1 Dec 14:00"), so an earlier day never reads as today.
class TimeTicker : public QCPAxisTickerDateTime
{
protected:
    QString getTickLabel(double tick, const QLocale &locale, QChar f, int precision) override;
    double getTickStep(const QCPRange &range) override;
    QVector<QString> createLabelVector(const QVector<double> &ticks, const QLocale &locale, QChar f,
                                       int precision) override;

private:
    double m_span = 0;
    QCPRange m_range;
};

// The local day of a time-axis key (seconds since the epoch).
QDate dayOfKey(double key);

// "time (CET)": the zone the axis is drawn in.
QString timeAxisLabel();

} // namespace sb::chart
