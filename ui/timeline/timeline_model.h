#pragma once

// TimelineModel: the incident timeline as a table, newest first, filtered by
// kind (each toggled), by target text ("chat" matches "route/chat") and by a
// time range (an event counts when it overlaps it). Text is masked while
// presenting (ui/common/privacy.h).

#include "core/timeline_event.h"

#include <QAbstractTableModel>
#include <bitset>

namespace sb {

struct TimelineFilter
{
    std::bitset<16> hiddenKinds;
    QString target;    // substring of target or summary, case-insensitive; empty = all
    qint64 fromMs = 0; // 0 = no lower bound
    qint64 toMs = 0;   // 0 = no upper bound
    bool accepts(const TimelineEvent &e) const;
};

class TimelineModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Time,
        Kind,
        Actor,
        What,
        Target,
        Source,
        NB_COLUMNS
    };
    static constexpr int KindRole = Qt::UserRole + 1; // int(EventKind)

    using QAbstractTableModel::QAbstractTableModel;

    void setEvents(const std::vector<TimelineEvent> &events); // newest first
    void setFilter(const TimelineFilter &filter);
    const TimelineFilter &filter() const { return m_filter; }
    // The shown rows, newest first.
    const std::vector<TimelineEvent> &shown() const { return m_shown; }
    const TimelineEvent *eventAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

private:
    void rebuild();

    std::vector<TimelineEvent> m_all;
    std::vector<TimelineEvent> m_shown;
    TimelineFilter m_filter;
};

} // namespace sb
