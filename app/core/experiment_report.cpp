#include "core/experiment_report.h"

#include <QStringList>
#include <cmath>

namespace sb {

namespace {

QString field(const QString &s)
{
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) &&
        !s.contains(QLatin1Char('\n')) && !s.contains(QLatin1Char('\r')))
        return s;
    QString q = s;
    q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

QString num(double v, int precision = 6)
{
    if (!std::isfinite(v))
        return {};
    return QString::number(v, 'g', precision);
}

} // namespace

QString resultsCsv(const Experiment &e, const ExperimentResults &results, const Analysis &a)
{
    const QStringList header = {QStringLiteral("experiment_id"),
                                QStringLiteral("variant_id"),
                                QStringLiteral("variant_name"),
                                QStringLiteral("control"),
                                QStringLiteral("weight_share"),
                                QStringLiteral("exposures"),
                                QStringLiteral("exposure_share"),
                                QStringLiteral("successes"),
                                QStringLiteral("errors"),
                                QStringLiteral("success_rate"),
                                QStringLiteral("success_rate_ci_lo"),
                                QStringLiteral("success_rate_ci_hi"),
                                QStringLiteral("latency_p50_ms"),
                                QStringLiteral("latency_p95_ms"),
                                QStringLiteral("latency_p95_ci_lo_ms"),
                                QStringLiteral("latency_p95_ci_hi_ms"),
                                QStringLiteral("latency_p99_ms"),
                                QStringLiteral("latency_geomean_ms"),
                                QStringLiteral("cost_total_usd"),
                                QStringLiteral("cost_per_request_usd"),
                                QStringLiteral("preference_wins"),
                                QStringLiteral("preference_total"),
                                QStringLiteral("preference_share"),
                                QStringLiteral("rating_count"),
                                QStringLiteral("rating_mean"),
                                QStringLiteral("hallucination_flags"),
                                QStringLiteral("primary_metric"),
                                QStringLiteral("vs_control_change"),
                                QStringLiteral("vs_control_ci_lo"),
                                QStringLiteral("vs_control_ci_hi"),
                                QStringLiteral("verdict"),
                                QStringLiteral("chance_to_beat_control"),
                                QStringLiteral("p_value_fixed_horizon"),
                                QStringLiteral("p_value_always_valid"),
                                QStringLiteral("guardrails"),
                                QStringLiteral("decision")};
    QStringList lines;
    lines << header.join(QLatin1Char(','));
    for (const VariantAnalysis &v : a.variants) {
        const VariantResults *r = results.variant(v.variantId);
        const VariantResults none;
        const VariantResults &x = r ? *r : none;
        QStringList guard;
        for (const auto &g : v.guardrails)
            guard << QStringLiteral("%1: %2").arg(toString(g.metric), toString(g.status));
        QString verdict;
        switch (v.primary.verdict) {
        case Comparison::Verdict::Better:
            verdict = QStringLiteral("better");
            break;
        case Comparison::Verdict::Worse:
            verdict = QStringLiteral("worse");
            break;
        case Comparison::Verdict::Equivalent:
            verdict = QStringLiteral("equivalent");
            break;
        case Comparison::Verdict::Inconclusive:
            verdict = QStringLiteral("inconclusive");
            break;
        case Comparison::Verdict::NotEnoughData:
            verdict = QStringLiteral("not enough data");
            break;
        case Comparison::Verdict::NotAvailable:
            verdict = v.control ? QStringLiteral("control") : QString();
            break;
        }
        const bool cmp = !v.control && v.primary.verdict != Comparison::Verdict::NotAvailable;
        QStringList f = {e.id,
                         v.variantId,
                         v.name,
                         v.control ? QStringLiteral("1") : QStringLiteral("0"),
                         num(v.weightShare),
                         QString::number(v.exposures),
                         num(v.exposureShare),
                         QString::number(x.successes),
                         QString::number(x.errors),
                         v.successRate.available ? num(v.successRate.value) : QString(),
                         v.successRate.available ? num(v.successRate.ci.lo) : QString(),
                         v.successRate.available ? num(v.successRate.ci.hi) : QString(),
                         v.p50.n ? num(v.p50.value) : QString(),
                         v.p95.n ? num(v.p95.value) : QString(),
                         v.p95.n ? num(v.p95.ci.lo) : QString(),
                         v.p95.n ? num(v.p95.ci.hi) : QString(),
                         v.p99.n ? num(v.p99.value) : QString(),
                         v.latency.available ? num(v.latency.value) : QString(),
                         num(x.costUsd),
                         v.cost.available ? num(v.cost.value) : QString(),
                         QString::number(x.preferenceWins),
                         QString::number(x.preferenceTotal),
                         v.preference.available ? num(v.preference.value) : QString(),
                         QString::number(x.ratingCount),
                         v.rating.available ? num(v.rating.value) : QString(),
                         QString::number(x.hallucinationFlags),
                         toString(a.primary),
                         cmp ? num(v.primary.difference) : QString(),
                         cmp ? num(v.primary.ci.lo) : QString(),
                         cmp ? num(v.primary.ci.hi) : QString(),
                         verdict,
                         cmp ? num(v.primary.chanceToBeat) : QString(),
                         cmp ? num(v.primary.pFixedHorizon) : QString(),
                         cmp ? num(v.primary.pAlwaysValid) : QString(),
                         guard.join(QStringLiteral("; ")),
                         toString(a.decision)};
        for (QString &s : f)
            s = field(s);
        lines << f.join(QLatin1Char(','));
    }
    return lines.join(QStringLiteral("\r\n")) + QStringLiteral("\r\n");
}

} // namespace sb
