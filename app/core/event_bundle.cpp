#include "core/event_bundle.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <algorithm>

namespace sb {

namespace {

constexpr QLatin1String kFormat("switchboard-incident");

} // namespace

QByteArray encodeBundle(const EventBundle &b)
{
    QJsonArray events;
    for (const auto &e : b.events)
        events.append(toJson(e));
    const QJsonObject root{{QStringLiteral("format"), kFormat},
                           {QStringLiteral("version"), EventBundle::kVersion},
                           {QStringLiteral("origin"), b.origin},
                           {QStringLiteral("exported"), double(b.exportedMs)},
                           {QStringLiteral("from"), double(b.fromMs)},
                           {QStringLiteral("to"), double(b.toMs)},
                           {QStringLiteral("events"), events}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

BundleDecode decodeBundle(const QByteArray &bytes)
{
    auto fail = [](const QString &why) { return BundleDecode{std::nullopt, why}; };
    if (bytes.isEmpty())
        return fail(QStringLiteral("The file is empty; an incident bundle is a JSON file "
                                   "written by Export incident."));
    if (bytes.size() > EventBundle::kMaxBytes)
        return fail(QStringLiteral("The file is %1 MB; an incident bundle is at most %2 MB.")
                        .arg(bytes.size() / (1024 * 1024))
                        .arg(EventBundle::kMaxBytes / (1024 * 1024)));
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &err);
    if (err.error != QJsonParseError::NoError)
        return fail(QStringLiteral("The file is not valid JSON (%1 at byte %2), so it is not an "
                                   "incident bundle.")
                        .arg(err.errorString())
                        .arg(err.offset));
    if (!doc.isObject())
        return fail(QStringLiteral("The file is JSON but not an incident bundle (it is not an "
                                   "object)."));
    const QJsonObject root = doc.object();
    if (root.value(QLatin1String("format")).toString() != kFormat)
        return fail(QStringLiteral("The file is JSON but not an incident bundle (its \"format\" "
                                   "is not \"switchboard-incident\")."));
    const QJsonValue version = root.value(QLatin1String("version"));
    if (!version.isDouble() || version.toDouble() != EventBundle::kVersion)
        return fail(QStringLiteral("The bundle is version %1; this build reads version %2. Use "
                                   "a newer Switchboard.")
                        .arg(version.isDouble() ? QString::number(version.toDouble())
                                                : QStringLiteral("(none)"))
                        .arg(EventBundle::kVersion));
    const QJsonValue list = root.value(QLatin1String("events"));
    if (!list.isArray())
        return fail(QStringLiteral("The bundle has no list of events."));
    const QJsonArray events = list.toArray();
    if (events.size() > EventBundle::kMaxEvents)
        return fail(QStringLiteral("The bundle holds %1 events; at most %2 can be imported.")
                        .arg(events.size())
                        .arg(EventBundle::kMaxEvents));

    EventBundle b;
    b.origin = root.value(QLatin1String("origin")).toString().left(1024);
    b.exportedMs = qint64(std::clamp(root.value(QLatin1String("exported")).toDouble(), 0.0, 1e15));
    b.fromMs = qint64(std::clamp(root.value(QLatin1String("from")).toDouble(), 0.0, 1e15));
    b.toMs = qint64(std::clamp(root.value(QLatin1String("to")).toDouble(), 0.0, 1e15));
    b.events.reserve(std::size_t(events.size()));
    for (qsizetype i = 0; i < events.size(); ++i) {
        if (!events.at(i).isObject())
            return fail(QStringLiteral("Event %1 of the bundle is not a JSON object.").arg(i + 1));
        QString why;
        std::optional<TimelineEvent> e = eventFromJson(events.at(i).toObject(), &why);
        if (!e)
            return fail(QStringLiteral("Event %1 of the bundle is not valid: %2. Nothing was "
                                       "imported.")
                            .arg(i + 1)
                            .arg(why));
        b.events.push_back(std::move(*e));
    }
    std::stable_sort(
        b.events.begin(), b.events.end(),
        [](const TimelineEvent &x, const TimelineEvent &y) { return x.timeMs < y.timeMs; });
    return {std::move(b), {}};
}

std::vector<TimelineEvent> importedEvents(const EventBundle &bundle, const QString &fileName)
{
    std::vector<TimelineEvent> out;
    out.reserve(bundle.events.size());
    for (TimelineEvent e : bundle.events) {
        if (!e.id.startsWith(QLatin1String("import:")))
            e.id = QStringLiteral("import:") + e.id;
        if (!e.source.startsWith(QLatin1String("import (")))
            e.source = QStringLiteral("import (%1): %2").arg(fileName, e.source);
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace sb
