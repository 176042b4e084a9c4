#include "ui/latency/chart_style.h"

#include "ui/common/format.h"

#include <QDateTime>
#include <QObject>
#include <cmath>

namespace sb::chart {

namespace {

const QColor kColors[] = {{0x1f, 0x77, 0xb4}, {0xd6, 0x27, 0x28}, {0x2c, 0xa0, 0x2c},
                          {0xff, 0x7f, 0x0e}, {0x94, 0x67, 0xbd}, {0x8c, 0x56, 0x4b},
                          {0xe3, 0x77, 0xc2}, {0x17, 0xbe, 0xcf}, {0xbc, 0xbd, 0x22},
                          {0x4e, 0x4e, 0xd0}};
constexpr int kColorCount = int(sizeof(kColors) / sizeof(kColors[0]));

} // namespace

quint32 stableHash(const QString &s)
{
    quint32 h = 2166136261u;
    for (QChar c : s) {
        h ^= c.unicode();
        h *= 16777619u;
    }
    return h;
}

QColor paletteColor(int index)
{
    return kColors[((index % kColorCount) + kColorCount) % kColorCount];
}

int paletteSize()
{
    return kColorCount;
}

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

Panel panelOf(int line)
{
    switch (line) {
    case P99:
    case P95:
    case P50:
        return LatencyPanel;
    case TtftP50:
        return TtftPanel;
    case Throughput:
        return ThroughputPanel;
    default:
        return RatesPanel;
    }
}

double lineValue(int line, const SeriesPoint &p)
{
    switch (line) {
    case P99:
        return p.value(SeriesMetric::P99);
    case P95:
        return p.value(SeriesMetric::P95);
    case P50:
        return p.value(SeriesMetric::P50);
    case TtftP50:
        return p.value(SeriesMetric::TtftP50);
    case Throughput:
        return p.value(SeriesMetric::Throughput);
    case ErrorRate:
        return 100.0 * p.value(SeriesMetric::ErrorRate);
    default:
        return 100.0 * p.value(SeriesMetric::FallbackShare);
    }
}

double shadeOf(int line)
{
    switch (line) {
    case P95:
        return 0.35;
    case P50:
        return 0.6;
    case FallbackShare:
        return 0.55;
    default:
        return 0.0;
    }
}

QString lineName(int line)
{
    switch (line) {
    case P99:
        return QStringLiteral("p99");
    case P95:
        return QStringLiteral("p95");
    case P50:
        return QStringLiteral("p50");
    case TtftP50:
        return QStringLiteral("TTFT p50");
    case Throughput:
        return QStringLiteral("req/s");
    case ErrorRate:
        return QStringLiteral("errors %");
    default:
        return QStringLiteral("fallbacks %");
    }
}

QString num(double v, int digits)
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

QString LatencyTicker::getTickLabel(double tick, const QLocale &, QChar, int)
{
    return tick <= 0 ? QStringLiteral("0") : formatLatency(tick);
}

QString SuffixTicker::getTickLabel(double tick, const QLocale &locale, QChar f, int precision)
{
    return QCPAxisTicker::getTickLabel(tick, locale, f, precision) + m_suffix;
}

QDate dayOfKey(double key)
{
    return QDateTime::fromMSecsSinceEpoch(qint64(std::llround(key * 1000.0))).date();
}

double TimeTicker::getTickStep(const QCPRange &range)
{
    m_span = range.size();
    m_range = range;
    // QCustomPlot also picks steps of 2.5 s and 2.5 min. Their ticks fall on
    // half units that the labels cannot show: "02:02" stood for 02:02:30.
    // Whole steps keep every label exact.
    const double step = QCPAxisTickerDateTime::getTickStep(range);
    if (std::abs(step - 2.5) < 1e-9)
        return 2.0;
    if (std::abs(step - 150.0) < 1e-9)
        return 120.0;
    return step;
}

QVector<QString> TimeTicker::createLabelVector(const QVector<double> &ticks, const QLocale &locale,
                                               QChar f, int precision)
{
    QVector<QString> labels = QCPAxisTickerDateTime::createLabelVector(ticks, locale, f, precision);
    const QDate first = dayOfKey(m_range.lower);
    const bool dated = first != QDate::currentDate() || dayOfKey(m_range.upper) != first;
    if (!dated || m_span > 6 * 86400) // "d MMM" already names the day
        return labels;
    QDate previous;
    for (int i = 0; i < ticks.size(); ++i) {
        const QDateTime t = QDateTime::fromMSecsSinceEpoch(qint64(std::llround(ticks[i] * 1000.0)));
        if (t.date() == previous)
            continue;
        previous = t.date();
        labels[i] = t.toString(m_span <= 10 * 60 ? QStringLiteral("ddd d MMM HH:mm:ss")
                                                 : QStringLiteral("ddd d MMM HH:mm"));
    }
    return labels;
}

QString TimeTicker::getTickLabel(double tick, const QLocale &, QChar, int)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(qint64(std::llround(tick * 1000.0)));
    if (m_span <= 10 * 60)
        return t.toString(QStringLiteral("HH:mm:ss"));
    if (m_span <= 20 * 3600)
        return t.toString(QStringLiteral("HH:mm"));
    if (m_span <= 6 * 86400)
        return t.toString(QStringLiteral("ddd HH:mm"));
    return t.toString(QStringLiteral("d MMM"));
}

QString timeAxisLabel()
{
    return QObject::tr("local time (%1)").arg(QDateTime::currentDateTime().timeZoneAbbreviation());
}

} // namespace sb::chart
