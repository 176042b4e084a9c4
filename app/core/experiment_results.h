#pragma once

// What the experiments capability moves between layers, as plain values:
// per-variant results (raw counts and latency sketches, exactly as the
// service sends them: the console draws its own conclusions, see
// experiment_analysis.h), the events of a side-by-side comparison (token
// deltas tagged by variant, then one summary per variant) and human
// feedback. No gRPC here; the client layer converts.

#include "core/latency_sketch.h"
#include "core/rpc_code.h"

#include <QMetaType>
#include <QString>
#include <cstdint>
#include <vector>

namespace sb {

// Cumulative results of one variant since its experiment started.
struct VariantResults
{
    QString variantId;
    quint64 exposures = 0;
    quint64 successes = 0;
    quint64 errors = 0;
    LatencySketch latency; // successful requests, ms
    LatencySketch ttft;    // successful requests, ms
    double costUsd = 0;    // total
    quint64 preferenceWins = 0;
    quint64 preferenceTotal = 0; // comparisons taken part in, ties included
    quint64 ratingCount = 0;
    quint64 ratingSum = 0;
    quint64 hallucinationFlags = 0;
    bool operator==(const VariantResults &) const = default;
};

struct ExperimentResults
{
    QString experimentId;
    qint64 timeMs = 0; // when the service took these numbers
    std::vector<VariantResults> variants;
    bool operator==(const ExperimentResults &) const = default;

    const VariantResults *variant(const QString &id) const
    {
        for (const auto &v : variants) {
            if (v.variantId == id)
                return &v;
        }
        return nullptr;
    }
};

// A piece of one variant's generated text.
struct TokenDelta
{
    QString variantId;
    QString text;
    quint32 index = 0;
    // Steady-clock microseconds when the client received it (for the
    // arrival-to-paint figure of the arena benchmark).
    qint64 arrivedUs = 0;
};

// How one variant's generation went (the service's figures).
struct VariantSummary
{
    QString variantId;
    QString servedModel;
    double latencyMs = 0;
    double ttftMs = 0;
    quint32 inputTokens = 0;
    quint32 outputTokens = 0;
    double costUsd = 0;
    RpcCode status = RpcCode::Ok;
    QString error;
    bool operator==(const VariantSummary &) const = default;
};

enum class FeedbackKind
{
    Preference,   // variantId preferred over otherVariantId (or a tie)
    Rating,       // variantId rated `score` 1..5
    Hallucination // variantId's output made something up
};

struct Feedback
{
    QString experimentId;
    QString subjectId; // the comparison's request id
    QString requestId; // idempotency key of this feedback
    FeedbackKind kind = FeedbackKind::Preference;
    QString variantId;
    QString otherVariantId;
    bool tie = false;
    quint32 score = 0;
    QString comment;
    bool operator==(const Feedback &) const = default;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::ExperimentResults)
Q_DECLARE_METATYPE(sb::VariantSummary)
Q_DECLARE_METATYPE(sb::Feedback)
