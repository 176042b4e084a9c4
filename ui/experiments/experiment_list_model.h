#pragma once

// Table model for the Experiments page: one row per experiment.

#include "core/types.h"

#include <QAbstractTableModel>
#include <vector>

namespace sb {

class ExperimentListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        State,
        Route,
        Variants,
        Metric,
        Started,
        NB_COLUMNS
    };
    enum Role
    {
        ExperimentIdRole = Qt::UserRole + 1
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setExperiments(std::vector<Experiment> experiments);
    const Experiment *experimentAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    std::vector<Experiment> m_experiments;
};

} // namespace sb
