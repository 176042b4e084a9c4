#include "ui/timeline/timeline_model.h"

#include "ui/common/format.h"
#include "ui/common/privacy.h"

#include <QColor>
#include <QDateTime>

namespace sb {

bool TimelineFilter::accepts(const TimelineEvent &e) const
{
    if (hiddenKinds[std::size_t(e.kind)])
        return false;
    const qint64 end = std::max(e.timeMs, e.endMs);
    if (fromMs && end < fromMs)
        return false;
    if (toMs && e.timeMs > toMs)
        return false;
    return target.isEmpty() || e.target.contains(target, Qt::CaseInsensitive) ||
           e.summary.contains(target, Qt::CaseInsensitive);
}

void TimelineModel::setEvents(const std::vector<TimelineEvent> &events)
{
    m_all = events;
    rebuild();
}

void TimelineModel::setFilter(const TimelineFilter &filter)
{
    m_filter = filter;
    rebuild();
}

void TimelineModel::rebuild()
{
    beginResetModel();
    m_shown.clear();
    for (const auto &e : m_all) {
        if (m_filter.accepts(e))
            m_shown.push_back(e);
    }
    endResetModel();
}

const TimelineEvent *TimelineModel::eventAt(int row) const
{
    return row >= 0 && row < int(m_shown.size()) ? &m_shown[std::size_t(row)] : nullptr;
}

int TimelineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_shown.size());
}

int TimelineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant TimelineModel::data(const QModelIndex &index, int role) const
{
    const TimelineEvent *e = eventAt(index.row());
    if (!e)
        return {};
    if (role == KindRole)
        return int(e->kind);
    if (role == Qt::ToolTipRole && index.column() == Time)
        return QDateTime::fromMSecsSinceEpoch(e->timeMs).toString(Qt::ISODateWithMs);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Time:
        return e->isRange() ? tr("%1 – %2").arg(formatClock(e->timeMs), formatClock(e->endMs))
                            : formatClock(e->timeMs);
    case Kind:
        return kindLabel(e->kind);
    case Actor:
        return privacy::masked(e->actor);
    case What:
        return privacy::masked(e->summary);
    case Target:
        return privacy::masked(e->target);
    case Source:
        return privacy::masked(e->source);
    default:
        return {};
    }
}

QVariant TimelineModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Kind:
        return tr("Kind");
    case Actor:
        return tr("Who");
    case What:
        return tr("What");
    case Target:
        return tr("Target");
    case Source:
        return tr("Seen on");
    default:
        return {};
    }
}

} // namespace sb
