#include "core/experiment_analysis_words.h"

#include <QCoreApplication>
#include <QLocale>
#include <cmath>

namespace sb::analysis {

QString tr(const char *s)
{
    return QCoreApplication::translate("sb::Analysis", s);
}

bool isProportion(Metric m)
{
    return m == Metric::SuccessRate || m == Metric::Preference || m == Metric::HallucinationRate;
}

bool isRatio(Metric m)
{
    return m == Metric::Latency || m == Metric::TimeToFirstToken;
}

bool isJudgement(Metric m)
{
    return m == Metric::Preference || m == Metric::Rating || m == Metric::HallucinationRate;
}

QString signedNumber(double x, int digits)
{
    const QString s = QString::number(std::abs(x), 'f', digits);
    if (s.toDouble() == 0)
        return s;
    return (x < 0 ? QStringLiteral("−") : QStringLiteral("+")) + s;
}

QString count(quint64 n)
{
    return QLocale(QLocale::English).toString(qulonglong(n));
}

QString percent(double fraction, int digits)
{
    return QStringLiteral("%1 %").arg(fraction * 100, 0, 'f', digits);
}

int proportionDigits(double p)
{
    return (p > 0.98 || p < 0.02) ? 2 : 1;
}

QString ms(double v)
{
    if (v >= 1000)
        return QStringLiteral("%1 s").arg(v / 1000, 0, 'f', v >= 10000 ? 1 : 2);
    return QStringLiteral("%1 ms").arg(v, 0, 'f', 0);
}

QString usd(double v)
{
    if (v >= 1)
        return QStringLiteral("$%1").arg(v, 0, 'f', 2);
    if (v >= 0.01)
        return QStringLiteral("$%1").arg(v, 0, 'f', 4);
    return QStringLiteral("$%1").arg(v, 0, 'f', 6);
}

QString valueText(Metric m, const MetricValue &v)
{
    if (!v.available)
        return QStringLiteral("—");
    if (isProportion(m))
        return percent(v.value, proportionDigits(v.value));
    if (isRatio(m))
        return ms(v.value);
    if (m == Metric::Cost)
        return usd(v.value);
    return QString::number(v.value, 'f', 2);
}

QString unitNoun(Metric m)
{
    switch (m) {
    case Metric::Preference:
        return QStringLiteral("votes");
    case Metric::Rating:
        return QStringLiteral("ratings");
    case Metric::HallucinationRate:
        return QStringLiteral("judged outputs");
    default:
        return QStringLiteral("exposures");
    }
}

} // namespace sb::analysis
