#pragma once

// ArenaRun: one side-by-side run of the arena, as the cache keeps it: the
// input and variable values, each column's output with the service's
// figures, whether the columns were shown blind (shuffled, labelled A/B/C/D),
// and the vote. Kept locally per endpoint so earlier inputs can be replayed
// and browsed offline, and so this console's votes can be ranked
// (Bradley-Terry) even though the contract only reports per-variant totals.
//
// How a vote becomes the contract's feedback (feedbackFor): "X is best"
// is a pairwise preference of X over each other column; "tie" is a tied
// preference for every pair; "all bad" is a rating of 1 for every column
// (a tie would say they were equally good); each hallucination flag is one
// HallucinationFlag.

#include "core/experiment_results.h"
#include "core/experiment_stats.h"

#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <vector>

namespace sb {

struct ArenaOutput
{
    QString variantId;
    QString variantName;
    QString label; // "A".."D" (blind) or the variant's name
    QString text;
    bool finished = false;   // its summary arrived
    double clientTtftMs = 0; // first token as this console saw it (network included)
    VariantSummary summary;
    bool operator==(const ArenaOutput &) const = default;
};

enum class ArenaVote
{
    None,
    Prefer, // preferredVariantId is best
    Tie,
    AllBad
};
QString toString(ArenaVote v);

struct ArenaRun
{
    QString requestId; // the comparison's request id (feedback's subject)
    qint64 timeMs = 0;
    QString experimentId;
    QString experimentName;
    QString input;
    QMap<QString, QString> variables;
    bool blind = false;
    bool cancelled = false;
    std::vector<ArenaOutput> outputs; // in column order as shown
    ArenaVote vote = ArenaVote::None;
    QString preferredVariantId;
    QStringList hallucinated; // variant ids flagged
    qint64 votedMs = 0;
    // "", "sending", "sent", or "not sent: <why>".
    QString feedbackStatus;
    bool operator==(const ArenaRun &) const = default;

    const ArenaOutput *output(const QString &variantId) const;
    // The column label of a variant ("B"), or its id when not shown.
    QString labelOf(const QString &variantId) const;
};

// The contract's feedback for the run's vote and flags (request ids derived
// from the run's, so sending the same vote twice is idempotent).
std::vector<Feedback> feedbackFor(const ArenaRun &run);

// Pairwise outcomes of voted runs for Bradley-Terry, players indexed by
// `variantIds` (variants not in the list are skipped). Prefer: a win over
// each other column; Tie: half each way for every pair; AllBad: nothing.
std::vector<stats::PairOutcome> pairOutcomes(const std::vector<ArenaRun> &runs,
                                             const QStringList &variantIds);

} // namespace sb

Q_DECLARE_METATYPE(sb::ArenaRun)
