#pragma once

// ResultsModel: one row per variant of the selected experiment, from an
// Analysis: traffic against weight, exposures, success rate, p95 latency,
// cost per request, preference and hallucination flags (each with its
// interval), then the comparison with control on the primary metric
// (always-valid interval, chance to beat control, the one-look p-value) and
// the guardrails. Colours say better (green) or worse (red) only where the
// always-valid test says so; tooltips carry the exact figures.

#include "core/experiment_analysis.h"

#include <QAbstractTableModel>

namespace sb {

class ResultsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Variant,
        Traffic,
        Exposures,
        SuccessRate,
        P95Latency,
        CostPerRequest,
        Preference,
        Hallucinations,
        VsControl,
        ChanceToBeat,
        PValue,
        Guardrails,
        NB_COLUMNS
    };
    enum Role
    {
        VariantIdRole = Qt::UserRole + 1,
        VerdictRole // Comparison::Verdict as int
    };

    using QAbstractTableModel::QAbstractTableModel;

    // Same variants as before: values change in place (dataChanged), so a
    // selection and the scroll position survive a refresh; otherwise a reset.
    void setAnalysis(const Analysis &analysis);
    const Analysis &analysis() const { return m_analysis; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    QVariant display(const VariantAnalysis &v, int column) const;
    QVariant tooltip(const VariantAnalysis &v, int column) const;
    QVariant sortKey(const VariantAnalysis &v, int column) const;
    bool noData(const VariantAnalysis &v) const;

    Analysis m_analysis;
};

} // namespace sb
