#include "ui/audit/audit_model.h"

#include "ui/common/format.h"
#include "ui/common/palette.h"
#include "ui/common/privacy.h"

#include <QDateTime>
#include <QHash>
#include <QTimeZone>
#include <algorithm>

namespace sb {

void AuditModel::setData(const std::vector<AuditEvent> &events,
                         const std::vector<LocalAction> &actions)
{
    std::vector<Row> rows;
    QHash<QString, int> byRequest;
    for (const auto &e : events) {
        Row r;
        r.timeMs = e.timeMs;
        r.actor = e.actor;
        r.action = e.action;
        r.target = e.target;
        r.oldValue = e.oldValue;
        r.newValue = e.newValue;
        r.reason = e.reason;
        r.outcome = tr("applied");
        r.requestId = e.requestId;
        r.id = e.id;
        if (!e.requestId.isEmpty())
            byRequest.insert(e.requestId, int(rows.size()));
        rows.push_back(r);
    }
    for (const auto &a : actions) {
        // A change the service applied already shows as its audit event;
        // mark that row as ours instead of listing it twice.
        auto it = byRequest.find(a.requestId);
        if (it != byRequest.end() && a.outcome == QLatin1String("applied")) {
            rows[std::size_t(it.value())].local = true;
            continue;
        }
        Row r;
        r.timeMs = a.timeMs;
        r.local = true;
        r.actor = a.actor.isEmpty() ? tr("this console") : a.actor;
        r.action = a.title;
        r.target = a.target;
        r.oldValue = a.oldValue;
        r.newValue = a.newValue;
        r.reason = a.reason;
        r.outcome = a.detail.isEmpty() ? a.outcome : a.outcome + QStringLiteral(": ") + a.detail;
        r.requestId = a.requestId;
        r.id = QStringLiteral("local/") + a.requestId;
        rows.push_back(r);
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Row &a, const Row &b) { return a.timeMs > b.timeMs; });
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int AuditModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AuditModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant AuditModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const Row &r = m_rows[std::size_t(index.row())];
    if (role == Qt::UserRole && index.column() == Time)
        return r.timeMs;
    if (role == Qt::ForegroundRole && index.column() == Outcome &&
        !r.outcome.startsWith(tr("applied")))
        return palette::bad();
    if (role == Qt::ToolTipRole && index.column() == Change)
        return privacy::masked(tr("%1 → %2").arg(r.oldValue, r.newValue));
    if (role != Qt::DisplayRole)
        return {};
    return privacy::masked(display(r, index.column()));
}

QString AuditModel::display(const Row &r, int column) const
{
    switch (column) {
    case Time:
        return formatTime(r.timeMs);
    case Source:
        return r.local ? tr("this console") : tr("service");
    case Actor:
        return r.actor;
    case Action:
        return r.action;
    case Target:
        return r.target;
    case Change:
        return QStringLiteral("%1 → %2").arg(r.oldValue, r.newValue);
    case Reason:
        return r.reason;
    case Outcome:
        return r.outcome;
    }
    return {};
}

QVariant AuditModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Time:
            return tr("When it happened, in your time zone");
        case Source:
            return tr("“service”: the service's audit log; “this console”: a change made from "
                      "here (kept locally, also when it failed)");
        case Outcome:
            return tr("Applied, or why not (conflict, denied, failed)");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Source:
        return tr("Source");
    case Actor:
        return tr("Who");
    case Action:
        return tr("Action");
    case Target:
        return tr("Target");
    case Change:
        return tr("Change");
    case Reason:
        return tr("Reason");
    case Outcome:
        return tr("Outcome");
    }
    return {};
}

static QString csvField(const QString &s)
{
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) &&
        !s.contains(QLatin1Char('\n')) && !s.contains(QLatin1Char('\r')))
        return s;
    QString q = s;
    q.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

QString AuditModel::toCsv(const std::vector<Row> &rows)
{
    QString out = QStringLiteral(
        "time_utc,source,actor,action,target,old_value,new_value,reason,outcome,request_id\r\n");
    for (const auto &r : rows) {
        const QStringList fields{
            QDateTime::fromMSecsSinceEpoch(r.timeMs).toUTC().toString(Qt::ISODateWithMs),
            r.local ? QStringLiteral("console") : QStringLiteral("service"),
            r.actor,
            r.action,
            r.target,
            r.oldValue,
            r.newValue,
            r.reason,
            r.outcome,
            r.requestId};
        QStringList escaped;
        for (const auto &f : fields)
            escaped << csvField(f);
        out += escaped.join(QLatin1Char(',')) + QStringLiteral("\r\n");
    }
    return out;
}

void AuditFilter::setTarget(const QString &t)
{
    m_target = t.trimmed();
    invalidateFilter();
}

void AuditFilter::setActor(const QString &a)
{
    m_actor = a.trimmed();
    invalidateFilter();
}

void AuditFilter::setSinceMs(qint64 ms)
{
    m_sinceMs = ms;
    invalidateFilter();
}

void AuditFilter::setText(const QString &t)
{
    m_text = t.trimmed();
    invalidateFilter();
}

bool AuditFilter::filterAcceptsRow(int row, const QModelIndex &) const
{
    auto *m = static_cast<const AuditModel *>(sourceModel());
    if (row < 0 || row >= int(m->rows().size()))
        return false;
    const auto &r = m->rows()[std::size_t(row)];
    if (m_sinceMs > 0 && r.timeMs < m_sinceMs)
        return false;
    if (!m_target.isEmpty() && !r.target.contains(m_target, Qt::CaseInsensitive))
        return false;
    if (!m_actor.isEmpty() && !r.actor.contains(m_actor, Qt::CaseInsensitive))
        return false;
    if (!m_text.isEmpty()) {
        const QString all =
            QStringList{r.action, r.target, r.oldValue, r.newValue, r.reason, r.outcome, r.actor}
                .join(QLatin1Char(' '));
        if (!all.contains(m_text, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

std::vector<AuditModel::Row> AuditFilter::visibleRows() const
{
    std::vector<AuditModel::Row> out;
    auto *m = static_cast<const AuditModel *>(sourceModel());
    for (int i = 0; i < rowCount(); ++i) {
        const int src = mapToSource(index(i, 0)).row();
        out.push_back(m->rows()[std::size_t(src)]);
    }
    return out;
}

} // namespace sb
