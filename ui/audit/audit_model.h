#pragma once

// The Audit page's rows: the service's audit events and this console's own
// local actions in one table, newest first, plus the filter the page puts on
// top (target, actor, time range, free text).

#include "core/local_action.h"
#include "core/types.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <vector>

namespace sb {

class AuditModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Time,
        Source,
        Actor,
        Action,
        Target,
        Change,
        Reason,
        Outcome,
        NB_COLUMNS
    };
    struct Row
    {
        qint64 timeMs = 0;
        bool local = false; // this console's action log
        QString actor;
        QString action;
        QString target;
        QString oldValue;
        QString newValue;
        QString reason;
        QString outcome;
        QString requestId;
        QString id;
    };

    using QAbstractTableModel::QAbstractTableModel;

    // Replaces the rows from both sources (upserted by id / request id).
    void setData(const std::vector<AuditEvent> &events, const std::vector<LocalAction> &actions);
    const std::vector<Row> &rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

    // RFC 4180 CSV of the given rows (all columns, times in ISO 8601 UTC).
    static QString toCsv(const std::vector<Row> &rows);

private:
    QString display(const Row &r, int column) const;
    std::vector<Row> m_rows;
};

class AuditFilter final : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setTarget(const QString &t);
    void setActor(const QString &a);
    void setSinceMs(qint64 ms); // 0 = all time
    void setText(const QString &t);
    // The rows passing the filter, in view order.
    std::vector<AuditModel::Row> visibleRows() const;

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override;

private:
    QString m_target, m_actor, m_text;
    qint64 m_sinceMs = 0;
};

} // namespace sb
