#include "ui/experiments/experiment_list_model.h"

#include "ui/common/format.h"

#include <QColor>

namespace sb {

void ExperimentListModel::setExperiments(std::vector<Experiment> experiments)
{
    beginResetModel();
    m_experiments = std::move(experiments);
    endResetModel();
}

const Experiment *ExperimentListModel::experimentAt(int row) const
{
    if (row < 0 || row >= int(m_experiments.size()))
        return nullptr;
    return &m_experiments[std::size_t(row)];
}

int ExperimentListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_experiments.size());
}

int ExperimentListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant ExperimentListModel::data(const QModelIndex &index, int role) const
{
    const Experiment *e = experimentAt(index.row());
    if (!e)
        return {};
    if (role == ExperimentIdRole)
        return e->id;
    if (role == Qt::ToolTipRole)
        return e->description;
    if (role == Qt::ForegroundRole && index.column() == State) {
        switch (e->state) {
        case ExperimentState::Running:
            return QColor(0x1b, 0x7f, 0x3b);
        case ExperimentState::Paused:
            return QColor(0xb2, 0x6b, 0x00);
        case ExperimentState::Stopped:
            return QColor(0x70, 0x70, 0x70);
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name:
        return e->name;
    case State:
        return toString(e->state);
    case Route:
        return e->route;
    case Variants: {
        quint64 total = 0;
        for (const auto &v : e->variants)
            total += v.weight;
        QStringList parts;
        for (const auto &v : e->variants) {
            const double pct = total ? 100.0 * v.weight / double(total) : 0.0;
            parts << QStringLiteral("%1 %2%")
                         .arg(v.name.isEmpty() ? v.id : v.name)
                         .arg(pct, 0, 'f', 0);
        }
        return parts.join(QStringLiteral(" · "));
    }
    case Metric:
        return toString(e->primaryMetric);
    case Started:
        return formatTime(e->startedMs);
    }
    return {};
}

QVariant ExperimentListModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Experiment");
    case State:
        return tr("State");
    case Route:
        return tr("Route");
    case Variants:
        return tr("Variants (traffic split)");
    case Metric:
        return tr("Primary metric");
    case Started:
        return tr("Started");
    }
    return {};
}

} // namespace sb
