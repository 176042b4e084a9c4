#pragma once

// Tree model for the Routing page: each route is a top-level row; its
// children are the serving chain in order (primary, then fallbacks), with
// whether each step may serve, the model's circuit and its recent share.

#include "core/types.h"

#include <QAbstractItemModel>

namespace sb {

class RoutingModel final : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Step,
        Enabled,
        Circuit,
        Served,
        ErrorRate,
        NB_COLUMNS
    };

    using QAbstractItemModel::QAbstractItemModel;

    // Keeps the tree's shape (and so the view's expansion) when only values change.
    void setTable(RoutingTable table);
    const RoutingTable &table() const { return m_table; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    const Model *model(const QString &name) const;
    static constexpr quintptr kRouteLevel = 0;

    RoutingTable m_table;
};

} // namespace sb
