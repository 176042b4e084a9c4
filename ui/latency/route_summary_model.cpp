#include "ui/latency/route_summary_model.h"

#include "core/clock.h"
#include "core/latency_history.h"
#include "ui/common/format.h"
#include "ui/common/palette.h"

#include <QColor>
#include <QDateTime>
#include <QFont>

namespace sb {

RouteSummaryModel::RouteSummaryModel(LatencyHistory *history, QObject *parent)
    : QAbstractTableModel(parent), m_history(history)
{
    connect(history, &LatencyHistory::changed, this, &RouteSummaryModel::onChanged);
    m_routes = history->routes();
}

void RouteSummaryModel::onChanged(const QString &route)
{
    const QStringList routes = m_history->routes();
    if (routes != m_routes) {
        beginResetModel();
        m_routes = routes;
        endResetModel();
        return;
    }
    const int row = rowOf(route);
    if (row >= 0)
        emit dataChanged(index(row, 0), index(row, NB_COLUMNS - 1));
}

void RouteSummaryModel::setLive(bool live)
{
    if (live == m_live)
        return;
    m_live = live;
    if (!m_routes.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_routes.size()) - 1, NB_COLUMNS - 1));
}

QString RouteSummaryModel::routeAt(int row) const
{
    return row >= 0 && row < m_routes.size() ? m_routes[row] : QString();
}

int RouteSummaryModel::rowOf(const QString &route) const
{
    return int(m_routes.indexOf(route));
}

int RouteSummaryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_routes.size());
}

int RouteSummaryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant RouteSummaryModel::data(const QModelIndex &index, int role) const
{
    const QString route = routeAt(index.row());
    if (route.isEmpty())
        return {};
    const auto &series = m_history->series(route);
    if (role == Qt::TextAlignmentRole && index.column() != Route)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (series.empty()) {
        return role == Qt::DisplayRole
                   ? (index.column() == Route ? QVariant(route) : QVariant(QStringLiteral("—")))
                   : QVariant();
    }
    // Rates over the seconds of the last 10 s that have data (one second
    // alone is noisy); quantiles of the latest second (quantiles cannot be
    // averaged). Seconds older than the window do not count, so after an
    // outage the columns go blank instead of showing old numbers as live.
    RecentStats recent = recentStats(series, clock::nowMs(), kAverageSeconds);
    recent.current = recent.current && m_live;
    const LatencyPoint &last = series.back();
    const double errorRate = recent.errorRate();
    const double fallbackRate = recent.fallbackRate();
    if (role == Qt::ForegroundRole) {
        if (!recent.current)
            return palette::muted();
        if (index.column() == ErrorRate && errorRate >= 0.05)
            return palette::bad();
        if (index.column() == Fallbacks && fallbackRate >= 0.10)
            return palette::warn();
        return {};
    }
    if (role == Qt::ToolTipRole && !recent.current)
        return tr("Last data %1: the figures shown are from before the stream stopped")
            .arg(formatAge(clock::nowMs() - recent.newestMs));
    if (role == Qt::FontRole && index.column() == Route) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (role != Qt::DisplayRole)
        return {};
    const auto ms = [](double v) { return formatLatency(v); };
    if (!recent.current && index.column() != Route && index.column() < P50)
        return QStringLiteral("—");
    switch (index.column()) {
    case Route:
        return route;
    case Throughput:
        return QStringLiteral("%1").arg(recent.perSecond(), 0, 'f', 0);
    case ErrorRate:
        return formatPercent(errorRate, 2);
    case Fallbacks:
        return formatPercent(fallbackRate, 1);
    case P50:
        return ms(last.p50);
    case P95:
        return ms(last.p95);
    case P99:
        return ms(last.p99);
    case Ttft:
        return last.ttftP50 > 0 ? ms(last.ttftP50) : QStringLiteral("—");
    }
    return {};
}

QVariant RouteSummaryModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal)
        return {};
    const bool averaged = section == Throughput || section == ErrorRate || section == Fallbacks;
    if (role == Qt::ToolTipRole)
        return averaged
                   ? tr("Over the seconds of the last %1 s that have data").arg(kAverageSeconds)
                   : (section >= P50 ? tr("Of the latest complete second") : QVariant());
    if (role != Qt::DisplayRole)
        return {};
    // Two lines, so a narrow window (1024 px) still shows each header whole.
    switch (section) {
    case Route:
        return tr("Route");
    case Throughput:
        return tr("req/s\n(10 s)");
    case ErrorRate:
        return tr("Errors\n(10 s)");
    case Fallbacks:
        return tr("Fallback\n(10 s)");
    case P50:
        return tr("p50");
    case P95:
        return tr("p95");
    case P99:
        return tr("p99");
    case Ttft:
        return tr("TTFT p50");
    }
    return {};
}

} // namespace sb
