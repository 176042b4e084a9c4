#pragma once

// Tree model for the Routing page: each route is a top-level row; its
// children are the serving chain in order (primary, then fallbacks) with
// whether each step may serve (and when a timed change reverts), the model's
// circuit (with the cooldown counting down), the share it served over the
// last 10 s and minute and why (as primary, as a fallback and after which
// model, or as an experiment's variant), its error rate and the last change.
// Rows in trouble (open circuit, fallback share or error rate above the
// thresholds) are coloured.

#include "core/types.h"

#include <QAbstractItemModel>

namespace sb {

struct RoutingTrouble
{
    int rows = 0;        // routes in trouble
    QStringList reasons; // "chat: circuit open on atlas-xl", ...
    QStringList keys;    // stable per kind of trouble ("chat/atlas-xl/circuit"), for de-duplication
};

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
        Served, // "10 s / 1 min": one column, so Why fits at 1280 px
        ErrorRate,
        LastChange,
        Why, // last: it is the longest, and stretches
        NB_COLUMNS
    };
    enum Role
    {
        KeyRole = Qt::UserRole + 1, // "chat" for a route, "chat/orion-70b" for a step
        StepRole,                   // -1 route row, 0 primary, k fallback k
        TroubleRole                 // 0 none, 1 warning, 2 trouble
    };
    // A fallback serving more than this share of a route's last 10 s is loud.
    static constexpr double kFallbackShareThreshold = 0.10;
    static constexpr double kErrorRateThreshold = 0.05;

    using QAbstractItemModel::QAbstractItemModel;

    // Keeps the tree's shape (and so the view's expansion and selection) when
    // only values change.
    void setTable(RoutingTable table);
    const RoutingTable &table() const { return m_table; }
    // The clock countdowns are shown against; call every second.
    void setNow(qint64 nowMs);
    RoutingTrouble trouble() const;

    const Route *routeAt(const QModelIndex &index) const;
    const Model *model(const QString &name) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    QVariant routeData(const Route &r, int column, int role) const;
    QVariant stepData(const Route &r, int step, int column, int role) const;
    int routeTrouble(const Route &r, QStringList *why = nullptr, QStringList *keys = nullptr) const;
    int stepTrouble(const Route &r, const QString &model) const;
    void emitAllChanged(int firstColumn, int lastColumn);
    static constexpr quintptr kRouteLevel = 0;

    RoutingTable m_table;
    qint64 m_nowMs = 0;
};

} // namespace sb
