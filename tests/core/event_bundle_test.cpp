// The incident bundle codec and the post-mortem draft (core): a bundle
// encodes and decodes to the same events; every way a file can be wrong gets
// one sentence naming what (and which event) and no events; importing keys
// events apart and marks their source; the Markdown has its five sections,
// one timeline row per event, the impact figures and the chart links.

#include "core/event_bundle.h"
#include "core/incident_report.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <gtest/gtest.h>

using namespace sb;

namespace {

EventBundle sample()
{
    EventBundle b;
    b.origin = QStringLiteral("staging");
    b.exportedMs = 1700000100000;
    b.fromMs = 1700000000000;
    b.toMs = 1700000090000;
    LocalAction a;
    a.requestId = QStringLiteral("req-1");
    a.timeMs = 1700000010000;
    a.target = QStringLiteral("model/atlas-xl");
    a.title = QStringLiteral("Disable model atlas-xl");
    a.reason = QStringLiteral("p99 | spiking");
    a.actor = QStringLiteral("alice");
    a.outcome = QStringLiteral("applied");
    b.events.push_back(eventFromLocalAction(a));
    Drill d{QStringLiteral("d1"),    QStringLiteral("atlas-xl"),
            DrillKind::LatencySpike, 3,
            1700000000000,           1700000060000};
    b.events.insert(b.events.begin(), eventFromDrill(d, QStringLiteral("bob"), "local"));
    b.events.push_back(noteEvent(QStringLiteral("follow up on the pool size"), 1700000050000, 0,
                                 QStringLiteral("alice")));
    return b;
}

QByteArray withEvent(const QJsonObject &event)
{
    QJsonObject root = QJsonDocument::fromJson(encodeBundle(sample())).object();
    QJsonArray events = root.value("events").toArray();
    events.append(event);
    root.insert("events", events);
    return QJsonDocument(root).toJson();
}

} // namespace

TEST(EventBundle, RoundTripsEveryField)
{
    const EventBundle b = sample();
    const BundleDecode d = decodeBundle(encodeBundle(b));
    ASSERT_TRUE(d.bundle) << d.error.toStdString();
    EXPECT_EQ(*d.bundle, b);
}

TEST(EventBundle, ABadFileGetsOneSentence)
{
    const QJsonObject good = toJson(sample().events.front());
    auto without = [&](const char *key) {
        QJsonObject o = good;
        o.remove(QLatin1String(key));
        return o;
    };
    auto with = [&](const char *key, const QJsonValue &v) {
        QJsonObject o = good;
        o.insert(QLatin1String(key), v);
        return o;
    };
    const std::pair<QByteArray, const char *> cases[] = {
        {QByteArray(), "empty"},
        {QByteArray("{\"format\":"), "not valid JSON"},
        {QByteArray("[1,2]"), "not an object"},
        {QByteArray("{\"format\":\"x\"}"), "\"format\""},
        {QByteArray("{\"format\":\"switchboard-incident\",\"version\":2}"), "version 2"},
        {QByteArray("{\"format\":\"switchboard-incident\",\"version\":1}"), "no list of events"},
        {withEvent(without("id")), "Event 4 of the bundle is not valid: it has no id"},
        {withEvent(with("time", "noon")), "its time"},
        {withEvent(with("time", 1.5)), "its time"},
        {withEvent(with("time", -4)), "its time"},
        {withEvent(with("end", 5)), "ends before it begins"},
        {withEvent(with("kind", "meteor")), "its kind"},
        {withEvent(with("actor", 7)), "its actor"},
        {withEvent(with("payload", "x")), "payload"},
        {withEvent(with("summary", QString(5000, QLatin1Char('x')))), "its summary"},
    };
    for (const auto &[bytes, expected] : cases) {
        const BundleDecode d = decodeBundle(bytes);
        EXPECT_FALSE(d.bundle) << expected;
        EXPECT_TRUE(d.error.contains(QString::fromUtf8(expected))) << d.error.toStdString();
        EXPECT_TRUE(d.error.endsWith(QLatin1Char('.'))) << d.error.toStdString();
    }
}

TEST(EventBundle, ImportedEventsAreKeyedApartAndMarked)
{
    const EventBundle b = sample();
    const auto imported = importedEvents(b, QStringLiteral("inc.json"));
    ASSERT_EQ(imported.size(), b.events.size());
    for (std::size_t i = 0; i < imported.size(); ++i) {
        EXPECT_EQ(imported[i].id, QStringLiteral("import:") + b.events[i].id);
        EXPECT_EQ(imported[i].source, QStringLiteral("import (inc.json): ") + b.events[i].source);
        EXPECT_EQ(imported[i].timeMs, b.events[i].timeMs);
        EXPECT_EQ(imported[i].payload, b.events[i].payload);
    }
    EventBundle again = b;
    again.events = imported;
    EXPECT_EQ(importedEvents(again, QStringLiteral("x.json"))[0].id, imported[0].id)
        << "importing an import does not stack prefixes";
}

TEST(EventBundle, OursSupersedesTheWatchButNotTheOtherWay)
{
    AuditEvent a;
    a.id = QStringLiteral("audit-9");
    a.requestId = QStringLiteral("req-1");
    a.action = QStringLiteral("model.disable");
    const TimelineEvent watch = eventFromAudit(a, QStringLiteral("watch:routing"));
    const TimelineEvent local = sample().events[1];
    ASSERT_EQ(watch.id, local.id) << "the same change has the same key";
    EXPECT_TRUE(supersedes(local, watch));
    EXPECT_FALSE(supersedes(watch, local));
    a.action = QStringLiteral("circuit.open");
    a.requestId.clear();
    EXPECT_EQ(eventFromAudit(a, "watch:routing").kind, EventKind::Circuit);
    EXPECT_EQ(eventFromAudit(a, "watch:routing").id, QStringLiteral("audit:audit-9"));
}

TEST(IncidentReport, HasItsSectionsRowsImpactAndCharts)
{
    IncidentReport r;
    r.origin = QStringLiteral("staging");
    r.fromMs = 1700000000000;
    r.toMs = 1700000090000;
    r.writtenMs = 1700000100000;
    r.events = sample().events;
    std::vector<SeriesPoint> points(3);
    for (int i = 0; i < 3; ++i) {
        points[i].timeMs = r.fromMs + i * 1000;
        points[i].count = 100;
        points[i].errors = i;
        points[i].latencyCount = 100;
        points[i].p99 = float(100 * (i + 1));
    }
    r.impact.push_back(impactOf(QStringLiteral("chat"), points));
    r.chartFiles << QStringLiteral("inc-chat.png");
    r.bundleFile = QStringLiteral("inc.json");
    const QString md = incidentMarkdown(r);
    int at = -1;
    for (const char *s :
         {"## Summary", "## Timeline", "## Impact", "## Actions", "## Follow-ups"}) {
        const int next = int(md.indexOf(QLatin1String(s)));
        EXPECT_GT(next, at) << s << " in order";
        at = next;
    }
    // Oldest first, in UTC clock times; a range shows its end.
    EXPECT_TRUE(md.contains(QStringLiteral("\n| 22:13:20–22:14:20 | Drill | bob |")))
        << md.toStdString();
    EXPECT_LT(md.indexOf(QStringLiteral("| 22:13:20–")),
              md.indexOf(QStringLiteral("| 22:13:30 |")));
    EXPECT_TRUE(md.contains(QStringLiteral("p99 \\| spiking"))) << "pipes escaped in cells";
    EXPECT_TRUE(md.contains(QStringLiteral("| chat | 300 | 3 | 1.00 % | 200 ms | 300 ms |")))
        << md.toStdString();
    EXPECT_TRUE(md.contains(QStringLiteral("](inc-chat.png)")));
    EXPECT_TRUE(md.contains(QStringLiteral("- [ ] follow up on the pool size")));
    EXPECT_TRUE(md.contains(QStringLiteral("Disable model atlas-xl (alice)")));
}
