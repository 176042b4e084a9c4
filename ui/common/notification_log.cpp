#include "ui/common/notification_log.h"

#include "ui/common/format.h"
#include "ui/common/palette.h"
#include "ui/common/privacy.h"

#include <QFont>

namespace sb {

void NotificationLog::add(Entry e)
{
    beginInsertRows({}, 0, 0);
    m_entries.insert(m_entries.begin(), std::move(e));
    endInsertRows();
    if (int(m_entries.size()) > kMaxEntries) {
        beginRemoveRows({}, kMaxEntries, int(m_entries.size()) - 1);
        m_entries.resize(kMaxEntries);
        endRemoveRows();
    }
    emit unreadChanged(unreadCount());
}

void NotificationLog::markAllRead()
{
    bool any = false;
    for (auto &e : m_entries) {
        any = any || !e.read;
        e.read = true;
    }
    if (!any)
        return;
    emit dataChanged(index(0), index(int(m_entries.size()) - 1));
    emit unreadChanged(0);
}

void NotificationLog::clear()
{
    beginResetModel();
    m_entries.clear();
    endResetModel();
    emit unreadChanged(0);
}

int NotificationLog::unreadCount() const
{
    int n = 0;
    for (const auto &e : m_entries)
        n += e.read ? 0 : 1;
    return n;
}

int NotificationLog::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QVariant NotificationLog::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_entries.size()))
        return {};
    const Entry &e = m_entries[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return privacy::masked(
            QStringLiteral("%1  %2").arg(formatClock(e.timeMs), e.title) +
            (e.detail.isEmpty() ? QString() : QStringLiteral("\n    ") + e.detail));
    case Qt::ToolTipRole:
        return privacy::masked(e.detail);
    case Qt::FontRole: {
        QFont f;
        f.setBold(!e.read);
        return f;
    }
    case Qt::ForegroundRole:
        if (e.severity == Severity::Trouble)
            return palette::bad();
        if (e.severity == Severity::Warning)
            return palette::warn();
        return {};
    default:
        return {};
    }
}

} // namespace sb
