#include "ui/models/route_summary_model.h"

#include "ui/session.h"

#include <QColor>
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
    // Rates over the last few seconds (one second alone is noisy); latency
    // quantiles of the latest second (quantiles of seconds cannot be averaged).
    quint64 count = 0, errors = 0, fallbacks = 0;
    int seconds = 0;
    for (auto it = series.rbegin(); it != series.rend() && seconds < kAverageSeconds;
         ++it, ++seconds) {
        count += it->count;
        errors += it->errors;
        fallbacks += it->fallbacks;
    }
    const LatencyPoint &last = series.back();
    const double errorRate = count ? double(errors) / double(count) : 0.0;
    const double fallbackRate = count ? double(fallbacks) / double(count) : 0.0;
    if (role == Qt::ForegroundRole) {
        if (index.column() == ErrorRate && errorRate >= 0.05)
            return QColor(0xc6, 0x28, 0x28);
        if (index.column() == Fallbacks && fallbackRate >= 0.10)
            return QColor(0xb2, 0x6b, 0x00);
        return {};
    }
    if (role == Qt::FontRole && index.column() == Route) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (role != Qt::DisplayRole)
        return {};
    auto ms = [](double v) {
        return v >= 1000 ? QStringLiteral("%1 s").arg(v / 1000.0, 0, 'f', 2)
                         : QStringLiteral("%1 ms").arg(v, 0, 'f', 0);
    };
    switch (index.column()) {
    case Route:
        return route;
    case Throughput:
        return QStringLiteral("%1").arg(double(count) / std::max(1, seconds), 0, 'f', 0);
    case ErrorRate:
        return QStringLiteral("%1%").arg(errorRate * 100.0, 0, 'f', 2);
    case Fallbacks:
        return QStringLiteral("%1%").arg(fallbackRate * 100.0, 0, 'f', 1);
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
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Route:
        return tr("Route");
    case Throughput:
        return tr("req/s (10 s)");
    case ErrorRate:
        return tr("Errors (10 s)");
    case Fallbacks:
        return tr("Fallback (10 s)");
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
