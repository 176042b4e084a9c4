#include "ui/timeline/incident_export.h"

#include "core/clock.h"
#include "core/event_bundle.h"
#include "core/incident_report.h"
#include "store/cache.h"
#include "ui/common/event_log.h"
#include "ui/common/privacy.h"
#include "ui/latency/chart_export.h"
#include "ui/latency/latency_chart.h"
#include "ui/session.h"
#include "ui/timeline/timeline_overlay.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QLayout>
#include <QRegularExpression>

namespace sb {

namespace {

quint64 nextTag()
{
    static quint64 tag = quint64(1) << 62; // apart from the latency controller's tags
    return ++tag;
}

QJsonValue maskedValue(const QJsonValue &v)
{
    if (v.isString())
        return privacy::masked(v.toString());
    if (v.isArray()) {
        QJsonArray out;
        for (const auto &x : v.toArray())
            out.append(maskedValue(x));
        return out;
    }
    if (v.isObject()) {
        QJsonObject out;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            out.insert(it.key(), maskedValue(it.value()));
        return out;
    }
    return v;
}

QString fileSafe(const QString &route)
{
    QString s = route;
    s.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    return s;
}

} // namespace

IncidentExport::IncidentExport(Session *session, EventLog *events, QStringList routes,
                               QObject *parent)
    : QObject(parent), m_session(session), m_events(events), m_routes(std::move(routes))
{
    if (m_routes.size() > kMaxCharts)
        m_routes = m_routes.mid(0, kMaxCharts);
}

std::vector<TimelineEvent> IncidentExport::eventsIn(const std::vector<TimelineEvent> &all,
                                                    qint64 fromMs, qint64 toMs)
{
    std::vector<TimelineEvent> out;
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        if (std::max(it->timeMs, it->endMs) < fromMs || it->timeMs > toMs)
            continue;
        TimelineEvent e = *it;
        if (privacy::enabled()) {
            // Keys hold request ids: hashed, so they still tell events apart.
            const QByteArray h =
                QCryptographicHash::hash(e.id.toUtf8(), QCryptographicHash::Sha256).toHex();
            e.id = e.id.section(QLatin1Char(':'), 0, 0) + QLatin1Char(':') +
                   QString::fromLatin1(h.left(16));
        }
        e.actor = privacy::masked(e.actor);
        e.source = privacy::masked(e.source);
        e.target = privacy::masked(e.target);
        e.summary = privacy::masked(e.summary);
        e.payload = maskedValue(e.payload).toObject();
        out.push_back(std::move(e));
    }
    return out;
}

void IncidentExport::start(const QString &dir, const QString &base, qint64 fromMs, qint64 toMs)
{
    m_dir = dir;
    m_base = base;
    m_fromMs = fromMs;
    m_toMs = toMs;
    Cache *cache = m_session->cache();
    if (!cache || m_routes.isEmpty()) {
        writeAll();
        return;
    }
    connect(cache, &Cache::seriesLoaded, this, &IncidentExport::onSeries);
    for (const QString &route : std::as_const(m_routes)) {
        SeriesQuery q;
        q.endpoint =
            m_session->cachedFrom().isEmpty() ? m_session->endpointKey() : m_session->cachedFrom();
        q.route = route;
        q.fromMs = fromMs;
        q.toMs = toMs + 1;
        q.resolution = toMs - fromMs > 6 * 3600 * 1000 ? Resolution::Minute : Resolution::Second;
        q.tag = nextTag();
        m_pending.insert(q.tag, route);
        cache->loadSeries(q);
    }
}

void IncidentExport::onSeries(const SeriesQuery &query, const std::vector<SeriesPoint> &points)
{
    if (!m_pending.contains(query.tag))
        return;
    m_points.insert(m_pending.take(query.tag), points);
    if (m_pending.isEmpty()) {
        disconnect(m_session->cache(), &Cache::seriesLoaded, this, &IncidentExport::onSeries);
        writeAll();
    }
}

void IncidentExport::writeAll()
{
    const std::vector<TimelineEvent> events = eventsIn(m_events->events(), m_fromMs, m_toMs);
    IncidentReport report;
    report.origin = privacy::masked(m_session->profileName().isEmpty() ? m_session->endpointLabel()
                                                                       : m_session->profileName());
    report.fromMs = m_fromMs;
    report.toMs = m_toMs;
    report.writtenMs = clock::nowMs();
    report.events = events;
    report.bundleFile = m_base + QStringLiteral(".json");

    std::vector<std::pair<QString, QByteArray>> files;
    for (const QString &route : std::as_const(m_routes)) {
        const std::vector<SeriesPoint> &points = m_points[route];
        if (points.empty())
            continue;
        report.impact.push_back(impactOf(privacy::masked(route), points));
        // The real chart, off-screen: the same drawing as the Latency page.
        LatencyChart chart;
        chart.setAttribute(Qt::WA_DontShowOnScreen);
        chart.resize(1100, 640);
        chart.show(); // off-screen: lays the plot out at that size
        if (chart.layout())
            chart.layout()->activate();
        chart.setSeries(route, privacy::masked(route), points);
        chart.setMarkers(TimelineOverlay::markersFor(events));
        // From a little before the first thing that happened (a fresh
        // session's data would otherwise be a sliver at the right edge).
        qint64 first = points.front().timeMs;
        for (const auto &e : events)
            first = std::min(first, e.timeMs);
        chart.setVisibleRangeMs(std::max(m_fromMs, first - 30000), m_toMs);
        chart.replotNow();
        const QString name =
            QStringLiteral("%1-%2.png").arg(m_base, fileSafe(privacy::masked(route)));
        files.emplace_back(name, chart::renderPng(chart.plot()));
        report.chartFiles << name;
        report.chartTitles << privacy::masked(route);
    }

    EventBundle bundle;
    bundle.origin = report.origin;
    bundle.exportedMs = report.writtenMs;
    bundle.fromMs = m_fromMs;
    bundle.toMs = m_toMs;
    bundle.events = events;
    files.emplace_back(report.bundleFile, encodeBundle(bundle));
    files.emplace_back(m_base + QStringLiteral(".md"), incidentMarkdown(report).toUtf8());

    m_writes = int(files.size());
    for (auto &[name, bytes] : files)
        write(name, std::move(bytes));
}

void IncidentExport::write(const QString &name, const QByteArray &bytes)
{
    chart::writeFileAsync(m_dir + QLatin1Char('/') + name, bytes, this,
                          [this](bool ok, const QString &error) {
                              if (!ok && m_error.isEmpty())
                                  m_error = error;
                              if (--m_writes == 0)
                                  emit finished(m_error.isEmpty(), m_error);
                          });
}

} // namespace sb
