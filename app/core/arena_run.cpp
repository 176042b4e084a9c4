#include "core/arena_run.h"

namespace sb {

QString toString(ArenaVote v)
{
    switch (v) {
    case ArenaVote::Prefer:
        return QStringLiteral("prefer");
    case ArenaVote::Tie:
        return QStringLiteral("tie");
    case ArenaVote::AllBad:
        return QStringLiteral("all bad");
    case ArenaVote::None:
        break;
    }
    return {};
}

const ArenaOutput *ArenaRun::output(const QString &variantId) const
{
    for (const auto &o : outputs) {
        if (o.variantId == variantId)
            return &o;
    }
    return nullptr;
}

QString ArenaRun::labelOf(const QString &variantId) const
{
    const ArenaOutput *o = output(variantId);
    return o ? o->label : variantId;
}

std::vector<Feedback> feedbackFor(const ArenaRun &run)
{
    std::vector<Feedback> out;
    auto base = [&](const QString &suffix) {
        Feedback f;
        f.experimentId = run.experimentId;
        f.subjectId = run.requestId;
        f.requestId = run.requestId + QLatin1Char('/') + suffix;
        return f;
    };
    const auto &cols = run.outputs;
    switch (run.vote) {
    case ArenaVote::Prefer:
        for (const auto &o : cols) {
            if (o.variantId == run.preferredVariantId)
                continue;
            Feedback f = base(QStringLiteral("prefer/") + o.variantId);
            f.kind = FeedbackKind::Preference;
            f.variantId = run.preferredVariantId;
            f.otherVariantId = o.variantId;
            out.push_back(f);
        }
        break;
    case ArenaVote::Tie:
        for (std::size_t i = 0; i < cols.size(); ++i) {
            for (std::size_t j = i + 1; j < cols.size(); ++j) {
                Feedback f = base(QStringLiteral("tie/") + cols[i].variantId + QLatin1Char('/') +
                                  cols[j].variantId);
                f.kind = FeedbackKind::Preference;
                f.variantId = cols[i].variantId;
                f.otherVariantId = cols[j].variantId;
                f.tie = true;
                out.push_back(f);
            }
        }
        break;
    case ArenaVote::AllBad:
        for (const auto &o : cols) {
            Feedback f = base(QStringLiteral("bad/") + o.variantId);
            f.kind = FeedbackKind::Rating;
            f.variantId = o.variantId;
            f.score = 1;
            f.comment = QStringLiteral("arena: all outputs bad");
            out.push_back(f);
        }
        break;
    case ArenaVote::None:
        break;
    }
    for (const QString &id : run.hallucinated) {
        Feedback f = base(QStringLiteral("hallucination/") + id);
        f.kind = FeedbackKind::Hallucination;
        f.variantId = id;
        out.push_back(f);
    }
    return out;
}

std::vector<stats::PairOutcome> pairOutcomes(const std::vector<ArenaRun> &runs,
                                             const QStringList &variantIds)
{
    std::vector<stats::PairOutcome> out;
    for (const ArenaRun &run : runs) {
        std::vector<int> shown;
        for (const auto &o : run.outputs) {
            const int i = int(variantIds.indexOf(o.variantId));
            if (i >= 0)
                shown.push_back(i);
        }
        if (run.vote == ArenaVote::Prefer) {
            const int w = int(variantIds.indexOf(run.preferredVariantId));
            if (w < 0)
                continue;
            for (int o : shown) {
                if (o != w)
                    out.push_back({w, o, 1.0, 0.0});
            }
        } else if (run.vote == ArenaVote::Tie) {
            for (std::size_t i = 0; i < shown.size(); ++i) {
                for (std::size_t j = i + 1; j < shown.size(); ++j)
                    out.push_back({shown[i], shown[j], 0.5, 0.5});
            }
        }
    }
    return out;
}

} // namespace sb
