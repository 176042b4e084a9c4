#pragma once

// IncidentExport: "Export incident" for a time range. Writes, into one
// folder, a post-mortem draft in Markdown (core/incident_report.h), the
// events as a JSON bundle (core/event_bundle.h) that Import incident reads
// back, and one PNG per route of the latency over the range, rendered
// off-screen with the real LatencyChart and the timeline's markers and bands.
// The history comes from the cache (its worker thread) and every file is
// written on a pool thread; finished() comes once, when all are on disk or
// one failed. While presenting, hosts, tokens and request ids are masked in
// every file (ui/common/privacy.h).

#include "core/series_store.h"
#include "core/timeline_event.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <vector>

namespace sb {

class Session;
class EventLog;
struct SeriesQuery;

class IncidentExport : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxCharts = 4;

    // routes: the ones to chart (the first kMaxCharts).
    IncidentExport(Session *session, EventLog *events, QStringList routes, QObject *parent);

    // Writes <dir>/<base>.md, <base>.json and <base>-<route>.png.
    void start(const QString &dir, const QString &base, qint64 fromMs, qint64 toMs);
    QString markdownPath() const { return m_dir + QLatin1Char('/') + m_base + ".md"; }
    QString bundlePath() const { return m_dir + QLatin1Char('/') + m_base + ".json"; }

    // The events in [fromMs, toMs] as exported (masked while presenting), oldest first.
    static std::vector<TimelineEvent> eventsIn(const std::vector<TimelineEvent> &all, qint64 fromMs,
                                               qint64 toMs);

signals:
    void finished(bool ok, const QString &error);

private:
    void onSeries(const SeriesQuery &query, const std::vector<SeriesPoint> &points);
    void writeAll();
    void write(const QString &name, const QByteArray &bytes);

    Session *m_session;
    EventLog *m_events;
    QStringList m_routes;
    QString m_dir;
    QString m_base;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 0;
    QHash<quint64, QString> m_pending; // query tag -> route
    QHash<QString, std::vector<SeriesPoint>> m_points;
    int m_writes = 0;
    QString m_error;
};

} // namespace sb
