#pragma once

// NotificationLog: what happened while you were looking elsewhere — changes
// by other operators, auto-reverts, circuits opening — as a list you can read
// later, not a status-bar line the next message erases. Newest first; unread
// until the list is opened.

#include <QAbstractListModel>
#include <vector>

namespace sb {

class NotificationLog final : public QAbstractListModel
{
    Q_OBJECT
public:
    enum class Severity
    {
        Info,
        Warning,
        Trouble
    };
    struct Entry
    {
        qint64 timeMs = 0;
        Severity severity = Severity::Info;
        QString title;  // "alice disabled fallback orion-70b on chat"
        QString detail; // "reason: \"latency spike\"; reverts at 10:45:00 UTC"
        bool read = false;
    };
    static constexpr int kMaxEntries = 500;

    using QAbstractListModel::QAbstractListModel;

    void add(Entry e);
    void markAllRead();
    void clear();
    int unreadCount() const;
    const std::vector<Entry> &entries() const { return m_entries; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;

signals:
    void unreadChanged(int unread);

private:
    std::vector<Entry> m_entries;
};

} // namespace sb
