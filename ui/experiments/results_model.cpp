#include "ui/experiments/results_model.h"

#include "ui/common/format.h"
#include "ui/common/palette.h"

#include <QFont>
#include <QLocale>

namespace sb {

namespace {

QString count(quint64 n)
{
    return QLocale(QLocale::English).toString(qulonglong(n));
}

QString pct(double fraction, int digits)
{
    return QStringLiteral("%1 %").arg(fraction * 100, 0, 'f', digits);
}

int digitsFor(double p)
{
    return (p > 0.98 || p < 0.02) ? 2 : 1;
}

QString usd(double v)
{
    if (v >= 1)
        return QStringLiteral("$%1").arg(v, 0, 'f', 2);
    if (v >= 0.01)
        return QStringLiteral("$%1").arg(v, 0, 'f', 4);
    return QStringLiteral("$%1").arg(v, 0, 'f', 6);
}

QString range(const stats::Interval &i, int digits)
{
    return QStringLiteral("%1–%2").arg(i.lo * 100, 0, 'f', digits).arg(i.hi * 100, 0, 'f', digits);
}

QString pValue(double p)
{
    if (p < 0.0001)
        return QStringLiteral("< 0.0001");
    if (p < 0.01)
        return QString::number(p, 'f', 4);
    return QString::number(p, 'f', 3);
}

bool numeric(int column)
{
    return column != ResultsModel::Variant && column != ResultsModel::Guardrails &&
           column != ResultsModel::VsControl;
}

} // namespace

void ResultsModel::setAnalysis(const Analysis &analysis)
{
    bool sameRows = analysis.variants.size() == m_analysis.variants.size();
    for (std::size_t i = 0; sameRows && i < analysis.variants.size(); ++i)
        sameRows = analysis.variants[i].variantId == m_analysis.variants[i].variantId;
    if (!sameRows) {
        beginResetModel();
        m_analysis = analysis;
        endResetModel();
        return;
    }
    const bool newHeader = analysis.primary != m_analysis.primary;
    m_analysis = analysis;
    if (!m_analysis.variants.empty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, NB_COLUMNS - 1));
    if (newHeader)
        emit headerDataChanged(Qt::Horizontal, VsControl, VsControl);
}

int ResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_analysis.variants.size());
}

int ResultsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

bool ResultsModel::noData(const VariantAnalysis &v) const
{
    const VariantAnalysis *c = m_analysis.variant(m_analysis.controlId);
    return !v.metric(m_analysis.primary).available || !c ||
           !c->metric(m_analysis.primary).available;
}

QVariant ResultsModel::display(const VariantAnalysis &v, int column) const
{
    const Metric primary = m_analysis.primary;
    switch (column) {
    case Variant: {
        QString name = v.name;
        if (v.control)
            name += tr(" (control)");
        if (v.variantId == m_analysis.winnerId && m_analysis.decision == Analysis::Decision::Winner)
            name = QStringLiteral("★ ") + name;
        return name;
    }
    case Traffic:
        if (!v.exposures)
            return pct(v.weightShare, 0);
        return QStringLiteral("%1 → %2").arg(pct(v.weightShare, 0), pct(v.exposureShare, 1));
    case Exposures:
        return count(v.exposures);
    case SuccessRate:
        if (!v.successRate.available)
            return QStringLiteral("—");
        return QStringLiteral("%1 (%2)").arg(
            pct(v.successRate.value, digitsFor(v.successRate.value)),
            range(v.successRate.ci, digitsFor(v.successRate.value)));
    case P95Latency:
        if (!v.p95.n)
            return QStringLiteral("—");
        return QStringLiteral("%1 (%2–%3)")
            .arg(formatLatency(v.p95.value), formatLatency(v.p95.ci.lo),
                 formatLatency(v.p95.ci.hi));
    case CostPerRequest:
        return v.cost.available ? usd(v.cost.value) : QStringLiteral("—");
    case Preference:
        if (!v.preference.available)
            return tr("no votes");
        return tr("%1 of %2").arg(pct(v.preference.value, 0), count(v.preference.n));
    case Hallucinations:
        if (!v.hallucination.n)
            return QStringLiteral("—");
        return QStringLiteral("%1 (%2)").arg(count(v.hallucination.hits),
                                             pct(v.hallucination.value, 1));
    case VsControl:
        if (v.control)
            return tr("baseline");
        switch (v.primary.verdict) {
        case Comparison::Verdict::NotAvailable:
            return QStringLiteral("—");
        case Comparison::Verdict::NotEnoughData:
            return noData(v) ? tr("no data yet") : v.primary.text + tr(" · too few to call");
        case Comparison::Verdict::Better:
            return v.primary.text + tr(" · better");
        case Comparison::Verdict::Worse:
            return v.primary.text + tr(" · worse");
        default:
            return v.primary.text;
        }
    case ChanceToBeat:
        if (v.control || v.primary.verdict == Comparison::Verdict::NotAvailable || noData(v))
            return QStringLiteral("—");
        return chanceText(v.primary.chanceToBeat);
    case PValue:
        if (v.control || v.primary.verdict == Comparison::Verdict::NotAvailable || noData(v))
            return QStringLiteral("—");
        return pValue(v.primary.pFixedHorizon);
    case Guardrails: {
        if (v.control)
            return QStringLiteral("—");
        if (v.guardrails.empty())
            return tr("none set");
        QStringList breached, unclear;
        for (const auto &g : v.guardrails) {
            if (g.status == GuardrailStatus::Breached)
                breached << toString(g.metric);
            else if (g.status != GuardrailStatus::Ok)
                unclear << toString(g.metric);
        }
        if (!breached.isEmpty())
            return tr("✗ %1 breached").arg(breached.join(QStringLiteral(", ")));
        if (!unclear.isEmpty())
            return tr("? %1 unclear").arg(unclear.join(QStringLiteral(", ")));
        return tr("✓ all ok");
    }
    }
    Q_UNUSED(primary);
    return {};
}

QVariant ResultsModel::tooltip(const VariantAnalysis &v, int column) const
{
    switch (column) {
    case Variant:
        return tr("Variant id: %1").arg(v.variantId);
    case Traffic:
        return tr("Configured weight %1 of traffic; observed %2 of exposures. A large gap "
                  "(sample ratio mismatch) makes every comparison untrustworthy.")
            .arg(pct(v.weightShare, 1), pct(v.exposureShare, 2));
    case SuccessRate:
        return tr("%1 of %2 requests succeeded; Wilson 95 % interval.")
            .arg(count(v.successRate.hits), count(v.successRate.n));
    case P95Latency:
        return tr("Successful requests from the merged sketch: p50 %1, p95 %2, p99 %3.\n"
                  "p95 interval: order-statistic ranks at 95 %, widened by the sketch's own "
                  "±%4 % relative error.")
            .arg(formatLatency(v.p50.value), formatLatency(v.p95.value), formatLatency(v.p99.value))
            .arg(v.p95.sketchError * 100, 0, 'f', 2);
    case CostPerRequest:
        return tr("Total cost divided by exposures. The service reports totals only, so the "
                  "interval assumes a coefficient of variation of at most 1: %1–%2.")
            .arg(usd(v.cost.ci.lo), usd(v.cost.ci.hi));
    case Preference:
        if (!v.preference.available)
            return tr("No pairwise votes yet: vote in the Arena.");
        return tr("Won %1 of %2 pairwise comparisons (ties count as not won); Wilson 95 %: %3 %.")
            .arg(count(v.preference.hits), count(v.preference.n), range(v.preference.ci, 0));
    case Hallucinations:
        return tr("Outputs flagged as made up, of %1 judged outputs.")
            .arg(count(v.hallucination.n));
    case VsControl:
        if (v.control)
            return tr("Every other variant is compared with this one.");
        return tr("Change in %1 against control, with its always-valid 95 % interval (mSPRT): "
                  "valid however often you look.\nAlways-valid p-value: %2.")
            .arg(toString(m_analysis.primary), pValue(v.primary.pAlwaysValid));
    case ChanceToBeat:
        return tr("Bayesian probability that this variant is better than control on %1 "
                  "(Beta-Binomial for rates, normal approximation otherwise). Not a decision "
                  "rule: it does not correct for looking often.")
            .arg(toString(m_analysis.primary));
    case PValue:
        return tr("Fixed-horizon two-sided z-test p-value. Valid only for one look at a sample "
                  "size fixed in advance; refreshing the results makes it lie. The decision "
                  "uses the always-valid test instead.");
    case Guardrails: {
        QStringList lines;
        for (const auto &g : v.guardrails)
            lines << QStringLiteral("%1: %2").arg(toString(g.status), g.text);
        return lines.isEmpty() ? tr("No guardrails set for this experiment.")
                               : lines.join(QLatin1Char('\n'));
    }
    default:
        return {};
    }
}

QVariant ResultsModel::sortKey(const VariantAnalysis &v, int column) const
{
    switch (column) {
    case Traffic:
        return v.exposureShare;
    case Exposures:
        return qulonglong(v.exposures);
    case SuccessRate:
        return v.successRate.value;
    case P95Latency:
        return v.p95.value;
    case CostPerRequest:
        return v.cost.value;
    case Preference:
        return v.preference.value;
    case Hallucinations:
        return v.hallucination.value;
    case VsControl:
        return v.primary.difference;
    case ChanceToBeat:
        return v.primary.chanceToBeat;
    case PValue:
        return v.primary.pFixedHorizon;
    default:
        return {};
    }
}

QVariant ResultsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() < 0 || index.row() >= rowCount())
        return {};
    const VariantAnalysis &v = m_analysis.variants[std::size_t(index.row())];
    const int c = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(v, c);
    case Qt::ToolTipRole:
        return tooltip(v, c);
    case Qt::UserRole:
        return sortKey(v, c);
    case VariantIdRole:
        return v.variantId;
    case VerdictRole:
        return int(v.primary.verdict);
    case Qt::TextAlignmentRole:
        return numeric(c) ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                          : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::FontRole:
        if (c == Variant && v.variantId == m_analysis.winnerId) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::ForegroundRole:
        if (c == VsControl || c == ChanceToBeat) {
            if (v.primary.verdict == Comparison::Verdict::Better)
                return palette::good();
            if (v.primary.verdict == Comparison::Verdict::Worse)
                return palette::bad();
            if (v.primary.verdict == Comparison::Verdict::NotEnoughData)
                return palette::muted();
        }
        if (c == Guardrails) {
            if (v.breachesGuardrail())
                return palette::bad();
            for (const auto &g : v.guardrails) {
                if (g.status != GuardrailStatus::Ok)
                    return palette::warn();
            }
            return v.guardrails.empty() ? QVariant() : QVariant(palette::good());
        }
        if (c == Traffic && m_analysis.srmMismatch)
            return palette::bad();
        return {};
    default:
        return {};
    }
}

QVariant ResultsModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case VsControl:
            return tr("Primary metric (%1) against control, always-valid 95 % interval")
                .arg(toString(m_analysis.primary));
        case PValue:
            return tr("Fixed-horizon p-value: for reference only (valid for one planned look)");
        case Traffic:
            return tr("Configured weight → observed share of exposures");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Variant:
        return tr("Variant");
    case Traffic:
        return tr("Traffic");
    case Exposures:
        return tr("Exposures");
    case SuccessRate:
        return tr("Success rate (95 %)");
    case P95Latency:
        return tr("p95 latency");
    case CostPerRequest:
        return tr("Cost / request");
    case Preference:
        return tr("Preferred");
    case Hallucinations:
        return tr("Hallucinations");
    case VsControl:
        return tr("%1 vs control").arg(toString(m_analysis.primary));
    case ChanceToBeat:
        return tr("Chance to beat");
    case PValue:
        return tr("p (one look)");
    case Guardrails:
        return tr("Guardrails");
    }
    return {};
}

} // namespace sb
