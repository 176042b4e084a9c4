#include "ui/models/routing_model.h"

#include <QColor>
#include <QDateTime>
#include <QFont>

namespace sb {

// Internal id: 0 for a route row, route index + 1 for a chain step row.

static bool sameShape(const RoutingTable &a, const RoutingTable &b)
{
    if (a.routes.size() != b.routes.size())
        return false;
    for (std::size_t i = 0; i < a.routes.size(); ++i) {
        if (a.routes[i].name != b.routes[i].name ||
            a.routes[i].fallbacks.size() != b.routes[i].fallbacks.size())
            return false;
    }
    return true;
}

void RoutingModel::setTable(RoutingTable table)
{
    if (sameShape(m_table, table)) {
        m_table = std::move(table);
        if (!m_table.routes.empty()) {
            emit dataChanged(index(0, 0), index(int(m_table.routes.size()) - 1, NB_COLUMNS - 1));
            for (int r = 0; r < int(m_table.routes.size()); ++r) {
                const QModelIndex p = index(r, 0);
                const int n = rowCount(p);
                if (n > 0)
                    emit dataChanged(index(0, 0, p), index(n - 1, NB_COLUMNS - 1, p));
            }
        }
        return;
    }
    beginResetModel();
    m_table = std::move(table);
    endResetModel();
}

const Model *RoutingModel::model(const QString &name) const
{
    for (const auto &m : m_table.models) {
        if (m.name == name)
            return &m;
    }
    return nullptr;
}

QModelIndex RoutingModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= NB_COLUMNS)
        return {};
    if (!parent.isValid()) {
        if (row >= int(m_table.routes.size()))
            return {};
        return createIndex(row, column, kRouteLevel);
    }
    if (parent.internalId() != kRouteLevel)
        return {};
    const auto &route = m_table.routes[std::size_t(parent.row())];
    if (row > int(route.fallbacks.size()))
        return {};
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex RoutingModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kRouteLevel)
        return {};
    return createIndex(int(child.internalId() - 1), 0, kRouteLevel);
}

int RoutingModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_table.routes.size());
    if (parent.internalId() != kRouteLevel || parent.column() != 0)
        return 0;
    return 1 + int(m_table.routes[std::size_t(parent.row())].fallbacks.size());
}

int RoutingModel::columnCount(const QModelIndex &) const
{
    return NB_COLUMNS;
}

QVariant RoutingModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (index.internalId() == kRouteLevel) {
        const auto &r = m_table.routes[std::size_t(index.row())];
        if (role == Qt::FontRole) {
            QFont f;
            f.setBold(true);
            return f;
        }
        if (role != Qt::DisplayRole)
            return {};
        switch (index.column()) {
        case Name:
            return r.name;
        case Step: {
            QStringList chain{r.primaryModel};
            for (const auto &f : r.fallbacks)
                chain << f.model;
            return chain.join(QStringLiteral(" → "));
        }
        case Served: {
            // Who actually served lately: the first thing on-call wants to know.
            const ServedShare *top = nullptr;
            for (const auto &s : r.recentlyServed) {
                if (!top || s.fraction > top->fraction)
                    top = &s;
            }
            return top ? QStringLiteral("%1 %2%")
                             .arg(top->model)
                             .arg(top->fraction * 100, 0, 'f', 0)
                       : QString();
        }
        default:
            return {};
        }
    }
    const auto &route = m_table.routes[std::size_t(index.internalId() - 1)];
    const int step = index.row();
    const QString modelName =
        step == 0 ? route.primaryModel : route.fallbacks[std::size_t(step - 1)].model;
    const bool stepEnabled = step == 0 ? true : route.fallbacks[std::size_t(step - 1)].enabled;
    const Model *m = model(modelName);
    const bool modelEnabled = m ? m->enabled : true;
    double share = 0;
    for (const auto &s : route.recentlyServed) {
        if (s.model == modelName)
            share = s.fraction;
    }
    if (role == Qt::ForegroundRole) {
        if (index.column() == Circuit && m && m->circuit == CircuitState::Open)
            return QColor(0xc6, 0x28, 0x28);
        if (index.column() == Circuit && m && m->circuit == CircuitState::HalfOpen)
            return QColor(0xb2, 0x6b, 0x00);
        if (!stepEnabled || !modelEnabled)
            return QColor(0x90, 0x90, 0x90);
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name:
        return modelName;
    case Step:
        return step == 0 ? tr("primary") : tr("fallback %1").arg(step);
    case Enabled: {
        // A timed change says when it undoes itself: on-call needs to know.
        const qint64 revertMs =
            step == 0 ? (m ? m->revertMs : 0) : route.fallbacks[std::size_t(step - 1)].revertMs;
        const QString until = revertMs > 0
                                  ? tr(" until %1")
                                        .arg(QDateTime::fromMSecsSinceEpoch(revertMs).toString(
                                            QStringLiteral("HH:mm:ss")))
                                  : QString();
        if (!modelEnabled)
            return tr("model disabled") + until;
        return (stepEnabled ? tr("enabled") : tr("disabled")) + until;
    }
    case Circuit:
        return m ? toString(m->circuit) : QString();
    case Served:
        return QStringLiteral("%1%").arg(share * 100, 0, 'f', 0);
    case ErrorRate:
        return m ? QStringLiteral("%1%").arg(m->recentErrorRate * 100, 0, 'f', 1) : QString();
    }
    return {};
}

QVariant RoutingModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Route / model");
    case Step:
        return tr("Chain");
    case Enabled:
        return tr("Serving");
    case Circuit:
        return tr("Circuit");
    case Served:
        return tr("Served (60 s)");
    case ErrorRate:
        return tr("Errors (60 s)");
    }
    return {};
}

} // namespace sb
