#include "core/timeline_event.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QJsonValue>
#include <array>

namespace sb {

namespace {

struct KindInfo
{
    EventKind kind;
    const char *name;
    const char *label;
};

constexpr std::array<KindInfo, std::size_t(EventKind::NB_KINDS)> kKinds{{
    {EventKind::LocalChange, "local-change", QT_TRANSLATE_NOOP("sb::Timeline", "Local change")},
    {EventKind::OthersChange, "others-change", QT_TRANSLATE_NOOP("sb::Timeline", "Others' change")},
    {EventKind::Circuit, "circuit", QT_TRANSLATE_NOOP("sb::Timeline", "Circuit")},
    {EventKind::Drill, "drill", QT_TRANSLATE_NOOP("sb::Timeline", "Drill")},
    {EventKind::Gap, "gap", QT_TRANSLATE_NOOP("sb::Timeline", "Disconnected")},
    {EventKind::Alert, "alert", QT_TRANSLATE_NOOP("sb::Timeline", "Alert")},
    {EventKind::Note, "note", QT_TRANSLATE_NOOP("sb::Timeline", "Note")},
}};

// Longest id, actor, source, target and summary a bundle may carry.
constexpr qsizetype kMaxText = 4096;
// Times outside [1970, 9999] are not times.
constexpr qint64 kMaxTimeMs = 253402300799999;

void putIf(QJsonObject &o, const char *key, const QString &value)
{
    if (!value.isEmpty())
        o.insert(QLatin1String(key), value);
}

} // namespace

QString kindName(EventKind kind)
{
    return QLatin1String(kKinds[std::size_t(kind)].name);
}

std::optional<EventKind> kindFromName(QStringView name)
{
    for (const auto &k : kKinds) {
        if (name == QLatin1String(k.name))
            return k.kind;
    }
    return std::nullopt;
}

QString kindLabel(EventKind kind)
{
    return QCoreApplication::translate("sb::Timeline", kKinds[std::size_t(kind)].label);
}

bool supersedes(const TimelineEvent &incoming, const TimelineEvent &existing)
{
    return !(existing.kind == EventKind::LocalChange && incoming.kind == EventKind::OthersChange);
}

TimelineEvent eventFromLocalAction(const LocalAction &a)
{
    TimelineEvent e;
    e.id = QStringLiteral("change:") + a.requestId;
    e.timeMs = a.timeMs;
    e.kind = EventKind::LocalChange;
    e.actor = a.actor;
    e.source = QStringLiteral("local");
    e.target = a.target;
    e.summary = a.outcome.isEmpty() || a.outcome == QLatin1String("applied")
                    ? a.title
                    : QStringLiteral("%1 (%2)").arg(a.title, a.outcome);
    QJsonObject p;
    putIf(p, "requestId", a.requestId);
    putIf(p, "old", a.oldValue);
    putIf(p, "new", a.newValue);
    putIf(p, "reason", a.reason);
    putIf(p, "outcome", a.outcome);
    putIf(p, "detail", a.detail);
    putIf(p, "auditId", a.auditId);
    if (a.revertAfterSec > 0)
        p.insert(QStringLiteral("revertAfterSec"), double(a.revertAfterSec));
    e.payload = p;
    return e;
}

TimelineEvent eventFromAudit(const AuditEvent &a, const QString &source)
{
    TimelineEvent e;
    e.id = a.requestId.isEmpty() ? QStringLiteral("audit:") + a.id
                                 : QStringLiteral("change:") + a.requestId;
    e.timeMs = a.timeMs;
    e.actor = a.actor;
    e.source = source;
    e.target = a.target;
    const bool circuit = a.action.startsWith(QLatin1String("circuit."));
    e.kind = circuit ? EventKind::Circuit : EventKind::OthersChange;
    if (circuit) {
        e.summary = QStringLiteral("circuit %1 on %2").arg(a.newValue, a.target);
    } else {
        e.summary =
            a.oldValue.isEmpty() && a.newValue.isEmpty()
                ? QStringLiteral("%1 %2").arg(a.action, a.target)
                : QStringLiteral("%1 %2: %3 → %4").arg(a.action, a.target, a.oldValue, a.newValue);
    }
    QJsonObject p;
    putIf(p, "action", a.action);
    putIf(p, "role", a.role);
    putIf(p, "old", a.oldValue);
    putIf(p, "new", a.newValue);
    putIf(p, "reason", a.reason);
    putIf(p, "requestId", a.requestId);
    putIf(p, "auditId", a.id);
    e.payload = p;
    return e;
}

TimelineEvent eventFromDrill(const Drill &d, const QString &actor, const QString &source)
{
    TimelineEvent e;
    e.id = QStringLiteral("drill:") + d.id;
    e.timeMs = d.startMs;
    e.endMs = d.endMs > d.startMs ? d.endMs : 0;
    e.kind = EventKind::Drill;
    e.actor = actor;
    e.source = source;
    e.target = QStringLiteral("model/") + d.model;
    e.summary = d.kind == DrillKind::Outage
                    ? QStringLiteral("drill: %1 on %2").arg(toString(d.kind), d.model)
                    : QStringLiteral("drill: %1 ×%2 on %3")
                          .arg(toString(d.kind))
                          .arg(d.magnitude)
                          .arg(d.model);
    e.payload = QJsonObject{{QStringLiteral("drillId"), d.id},
                            {QStringLiteral("drillKind"), toString(d.kind)},
                            {QStringLiteral("magnitude"), d.magnitude}};
    return e;
}

TimelineEvent gapEvent(qint64 fromMs, qint64 toMs, const QString &detail)
{
    TimelineEvent e;
    e.id = QStringLiteral("gap:%1").arg(fromMs);
    e.timeMs = fromMs;
    e.endMs = toMs > fromMs ? toMs : 0;
    e.kind = EventKind::Gap;
    e.actor = QStringLiteral("connection");
    e.source = QStringLiteral("local");
    e.summary = e.endMs ? QStringLiteral("disconnected for %1 s").arg((toMs - fromMs + 500) / 1000)
                        : QStringLiteral("disconnected");
    if (!detail.isEmpty())
        e.payload.insert(QStringLiteral("detail"), detail);
    return e;
}

TimelineEvent noteEvent(const QString &text, qint64 fromMs, qint64 toMs, const QString &actor)
{
    TimelineEvent e;
    const QByteArray digest =
        QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha1).toHex().left(8);
    e.id = QStringLiteral("note:%1:%2").arg(fromMs).arg(QString::fromLatin1(digest));
    e.timeMs = fromMs;
    e.endMs = toMs > fromMs ? toMs : 0;
    e.kind = EventKind::Note;
    e.actor = actor;
    e.source = QStringLiteral("local");
    e.summary = text.section(QLatin1Char('\n'), 0, 0).left(200);
    e.payload.insert(QStringLiteral("text"), text);
    return e;
}

QJsonObject toJson(const TimelineEvent &e)
{
    QJsonObject o{{QStringLiteral("id"), e.id},
                  {QStringLiteral("time"), double(e.timeMs)},
                  {QStringLiteral("kind"), kindName(e.kind)},
                  {QStringLiteral("actor"), e.actor},
                  {QStringLiteral("source"), e.source},
                  {QStringLiteral("target"), e.target},
                  {QStringLiteral("summary"), e.summary},
                  {QStringLiteral("payload"), e.payload}};
    if (e.endMs)
        o.insert(QStringLiteral("end"), double(e.endMs));
    return o;
}

namespace {

// A whole number of milliseconds in range, exactly representable.
bool readTime(const QJsonValue &v, qint64 *out)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    if (!(d >= 0 && d <= double(kMaxTimeMs)) || d != double(qint64(d)))
        return false;
    *out = qint64(d);
    return true;
}

bool readText(const QJsonObject &o, const char *key, bool required, QString *out)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return !required;
    if (!v.isString() || v.toString().size() > kMaxText)
        return false;
    *out = v.toString();
    return !required || !out->isEmpty();
}

} // namespace

std::optional<TimelineEvent> eventFromJson(const QJsonObject &o, QString *why)
{
    auto fail = [why](const QString &text) -> std::optional<TimelineEvent> {
        if (why)
            *why = text;
        return std::nullopt;
    };
    TimelineEvent e;
    if (!readText(o, "id", true, &e.id))
        return fail(QStringLiteral("it has no id"));
    if (!readTime(o.value(QLatin1String("time")), &e.timeMs))
        return fail(QStringLiteral("its time is missing or not a time"));
    if (o.contains(QLatin1String("end"))) {
        if (!readTime(o.value(QLatin1String("end")), &e.endMs))
            return fail(QStringLiteral("its end time is not a time"));
        if (e.endMs != 0 && e.endMs < e.timeMs)
            return fail(QStringLiteral("it ends before it begins"));
    }
    const std::optional<EventKind> kind = kindFromName(o.value(QLatin1String("kind")).toString());
    if (!kind)
        return fail(QStringLiteral("its kind is not one of local-change, others-change, circuit, "
                                   "drill, gap, alert, note"));
    e.kind = *kind;
    for (auto [key, field] : {std::pair{"actor", &e.actor}, std::pair{"source", &e.source},
                              std::pair{"target", &e.target}, std::pair{"summary", &e.summary}}) {
        if (!readText(o, key, false, field))
            return fail(QStringLiteral("its %1 is not text (or longer than %2 characters)")
                            .arg(QLatin1String(key))
                            .arg(kMaxText));
    }
    const QJsonValue payload = o.value(QLatin1String("payload"));
    if (!payload.isUndefined() && !payload.isNull() && !payload.isObject())
        return fail(QStringLiteral("its payload is not a JSON object"));
    e.payload = payload.toObject();
    return e;
}

} // namespace sb
