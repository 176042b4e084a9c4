#include "core/incident_report.h"

#include <QDateTime>
#include <QTimeZone>
#include <algorithm>
#include <map>

namespace sb {

namespace {

QString utc(qint64 ms, const char *format)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QLatin1String(format));
}

// Markdown table cells: no pipes or line breaks from free text.
QString cell(QString text)
{
    text.replace(QLatin1Char('|'), QLatin1String("\\|"));
    text.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return text.trimmed();
}

QString duration(qint64 ms)
{
    const qint64 s = (ms + 500) / 1000;
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

QString when(const TimelineEvent &e)
{
    QString t = utc(e.timeMs, "HH:mm:ss");
    if (e.isRange())
        t += QStringLiteral("–") + utc(e.endMs, "HH:mm:ss");
    return t;
}

} // namespace

RouteImpact impactOf(const QString &route, const std::vector<SeriesPoint> &points)
{
    RouteImpact r;
    r.route = route;
    std::vector<double> p99s;
    for (const auto &p : points) {
        r.requests += p.count;
        r.errors += p.errors;
        if (p.latencyCount > 0) {
            p99s.push_back(double(p.p99));
            r.peakP99Ms = std::max(r.peakP99Ms, double(p.p99));
        }
    }
    if (!p99s.empty()) {
        auto mid = p99s.begin() + std::ptrdiff_t(p99s.size() / 2);
        std::nth_element(p99s.begin(), mid, p99s.end());
        r.medianP99Ms = *mid;
    }
    return r;
}

QString incidentMarkdown(const IncidentReport &report)
{
    std::vector<TimelineEvent> events = report.events;
    std::stable_sort(
        events.begin(), events.end(),
        [](const TimelineEvent &a, const TimelineEvent &b) { return a.timeMs < b.timeMs; });
    std::map<EventKind, int> counts;
    for (const auto &e : events)
        ++counts[e.kind];

    QString md;
    md += QStringLiteral("# Incident on %1, %2 UTC\n\n")
              .arg(report.origin.isEmpty() ? QStringLiteral("the service") : report.origin,
                   utc(report.fromMs, "yyyy-MM-dd HH:mm"));
    md += QStringLiteral("_Post-mortem draft written by Switchboard at %1 UTC from the console's "
                         "incident timeline. Edit freely; the facts below come from the "
                         "timeline and the cached latency history._\n\n")
              .arg(utc(report.writtenMs, "yyyy-MM-dd HH:mm:ss"));

    md += QStringLiteral("## Summary\n\n");
    md += QStringLiteral("- **Window:** %1 – %2 UTC (%3)\n")
              .arg(utc(report.fromMs, "yyyy-MM-dd HH:mm:ss"), utc(report.toMs, "HH:mm:ss"),
                   duration(report.toMs - report.fromMs));
    QStringList parts;
    for (const auto &[kind, n] : counts)
        parts << QStringLiteral("%1 × %2").arg(n).arg(kindLabel(kind).toLower());
    md += QStringLiteral("- **Events:** %1%2\n")
              .arg(events.size())
              .arg(parts.isEmpty() ? QString() : QStringLiteral(" (") + parts.join(", ") + ")");
    if (!events.empty())
        md += QStringLiteral("- **First:** %1 at %2 UTC\n")
                  .arg(events.front().summary, utc(events.front().timeMs, "HH:mm:ss"));
    md += QStringLiteral("- **What happened:** _one paragraph: cause, detection, "
                         "resolution._\n\n");

    md += QStringLiteral("## Timeline\n\n");
    if (events.empty()) {
        md += QStringLiteral("No events were recorded in this window.\n\n");
    } else {
        md += QStringLiteral("| Time (UTC) | Kind | Who | What | Target | Source |\n"
                             "|---|---|---|---|---|---|\n");
        for (const auto &e : events) {
            QString what = e.summary;
            const QString reason = e.payload.value(QLatin1String("reason")).toString();
            if (!reason.isEmpty())
                what += QStringLiteral(" — “%1”").arg(reason);
            md += QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 |\n")
                      .arg(when(e), kindLabel(e.kind), cell(e.actor), cell(what), cell(e.target),
                           cell(e.source));
        }
        md += QLatin1Char('\n');
    }

    md += QStringLiteral("## Impact\n\n");
    if (report.impact.empty()) {
        md += QStringLiteral("No latency history is cached for this window.\n\n");
    } else {
        md += QStringLiteral("| Route | Requests | Errors | Error rate | Median p99 | Peak p99 |\n"
                             "|---|---:|---:|---:|---:|---:|\n");
        for (const auto &r : report.impact) {
            const double rate = r.requests ? 100.0 * double(r.errors) / double(r.requests) : 0;
            md += QStringLiteral("| %1 | %2 | %3 | %4 % | %5 ms | %6 ms |\n")
                      .arg(cell(r.route))
                      .arg(r.requests)
                      .arg(r.errors)
                      .arg(rate, 0, 'f', 2)
                      .arg(r.medianP99Ms, 0, 'f', 0)
                      .arg(r.peakP99Ms, 0, 'f', 0);
        }
        md += QLatin1Char('\n');
    }
    for (qsizetype i = 0; i < report.chartFiles.size(); ++i)
        md += QStringLiteral("![Latency of %1](%2)\n\n")
                  .arg(i < report.chartTitles.size() ? report.chartTitles[i] : report.chartFiles[i],
                       report.chartFiles[i]);

    md += QStringLiteral("## Actions\n\n");
    int actions = 0;
    for (const auto &e : events) {
        if (e.kind != EventKind::LocalChange && e.kind != EventKind::Drill)
            continue;
        ++actions;
        md += QStringLiteral("- %1 UTC — %2 (%3)\n")
                  .arg(when(e), e.summary, e.actor.isEmpty() ? QStringLiteral("?") : e.actor);
    }
    if (!actions)
        md += QStringLiteral("No change or drill was made from this console in this window.\n");
    md += QLatin1Char('\n');

    md += QStringLiteral("## Follow-ups\n\n");
    for (const auto &e : events) {
        if (e.kind == EventKind::Note)
            md += QStringLiteral("- [ ] %1 (note at %2 UTC)\n").arg(e.summary, when(e));
    }
    md += QStringLiteral("- [ ] _Owner, action, due date._\n\n");
    if (!report.bundleFile.isEmpty())
        md += QStringLiteral("---\nThe events are also in [%1](%1); Import incident reads it "
                             "back into another console.\n")
                  .arg(report.bundleFile);
    return md;
}

} // namespace sb
