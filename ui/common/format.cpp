#include "ui/common/format.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QTimeZone>

namespace sb {

static QString tr(const char *s)
{
    return QCoreApplication::translate("sb::format", s);
}

QString formatAge(qint64 ageMs)
{
    if (ageMs < 0)
        ageMs = 0;
    const qint64 s = ageMs / 1000;
    if (s < 60)
        return tr("%1 s ago").arg(s);
    if (s < 3600)
        return tr("%1 min ago").arg(s / 60);
    if (s < 86400)
        return tr("%1 h %2 min ago").arg(s / 3600).arg((s % 3600) / 60);
    return tr("%1 d ago").arg(s / 86400);
}

static QString zoneOf(const QDateTime &t)
{
    const QString abbr = t.timeZoneAbbreviation();
    return abbr.isEmpty() ? t.toString(QStringLiteral("t")) : abbr;
}

QString formatTime(qint64 ms)
{
    if (ms <= 0)
        return QStringLiteral("—");
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms);
    return t.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss ")) + zoneOf(t);
}

QString formatClock(qint64 ms)
{
    if (ms <= 0)
        return QStringLiteral("—");
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms);
    if (t.date() != QDate::currentDate())
        return formatTime(ms);
    return t.toString(QStringLiteral("HH:mm:ss ")) + zoneOf(t);
}

QString formatLatency(double ms, bool emptyIfZero)
{
    if (emptyIfZero && !(ms > 0))
        return QStringLiteral("—");
    if (ms >= 1000)
        return QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', ms >= 10000 ? 1 : 2);
    return QStringLiteral("%1 ms").arg(ms, 0, 'f', 0);
}

QString formatPercent(double fraction, int digits)
{
    return QStringLiteral("%1 %").arg(fraction * 100.0, 0, 'f', digits);
}

QString formatDuration(qint64 ms)
{
    if (ms < 0)
        ms = 0;
    const qint64 s = (ms + 999) / 1000;
    if (s < 60)
        return tr("%1 s").arg(s);
    if (s < 3600)
        return s % 60 ? tr("%1 min %2 s").arg(s / 60).arg(s % 60) : tr("%1 min").arg(s / 60);
    return tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

} // namespace sb
