#include "ctl/list_view.h"

#include "ctl/runtime.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>

namespace sb::ctl {

static QJsonObject stable(QJsonObject o, const QStringList &volatileFields)
{
    for (const QString &f : volatileFields)
        o.remove(f);
    return o;
}

static QString idOf(const QJsonObject &o, const QString &field)
{
    const QJsonValue v = o.value(field);
    return v.isString() ? v.toString() : QString::number(v.toDouble());
}

Exit showList(Runtime &rt, const ListView &view)
{
    const bool watch = rt.args().has(QStringLiteral("watch"));
    QJsonArray records = view.collect();
    if (!watch) {
        rt.printList(view.key, records, view.columns, view.fetchedMs());
        return Exit::Ok;
    }
    if (rt.offline()) {
        rt.err(QStringLiteral("switchboard-ctl: --watch needs the live service, not --offline"));
        return Exit::Usage;
    }
    const bool table = rt.format() == Format::Table;
    auto line = [&](const QString &event, const QJsonObject &o) {
        const QString now = QDateTime::currentDateTimeUtc().toString(QStringLiteral("HH:mm:ss"));
        if (table) {
            QStringList cells;
            for (const auto &c : view.columns)
                cells << (c.text ? c.text(o) : cellText(o.value(c.field)));
            rt.out(QStringLiteral("%1 %2 %3\n")
                       .arg(now, event.leftJustified(8), cells.join(QStringLiteral("  "))));
        } else {
            QJsonObject w{{"event", event},
                          {"time", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
                          {view.singular, o}};
            rt.out(renderJson(w, true));
        }
    };
    QHash<QString, QJsonObject> seen;
    QStringList order;
    if (table)
        rt.out(renderTable(records, view.columns));
    for (const QJsonValue &v : records) {
        const QJsonObject o = v.toObject();
        const QString id = idOf(o, view.idField);
        seen.insert(id, stable(o, view.volatileFields));
        if (!table)
            line(QStringLiteral("initial"), o);
    }
    if (table)
        rt.err(QStringLiteral("watching %1 for changes (Ctrl-C to stop)").arg(view.key));
    installInterruptHandler();
    QElapsedTimer sinceRefresh;
    sinceRefresh.start();
    while (!interrupted()) {
        rt.pump(100);
        if (view.refresh && sinceRefresh.elapsed() >= view.refreshMs) {
            view.refresh();
            sinceRefresh.restart();
        }
        records = view.collect();
        QHash<QString, QJsonObject> now;
        for (const QJsonValue &v : records) {
            const QJsonObject o = v.toObject();
            const QString id = idOf(o, view.idField);
            const QJsonObject s = stable(o, view.volatileFields);
            now.insert(id, s);
            auto it = seen.find(id);
            if (it == seen.end())
                line(QStringLiteral("added"), o);
            else if (it.value() != s)
                line(QStringLiteral("changed"), o);
        }
        for (auto it = seen.cbegin(); it != seen.cend(); ++it) {
            if (!now.contains(it.key()))
                line(QStringLiteral("removed"), it.value());
        }
        seen = now;
    }
    return Exit::Interrupted;
}

} // namespace sb::ctl
