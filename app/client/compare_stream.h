#pragma once

// CompareStream: one ExperimentService.Compare call, the arena's side-by-side
// run: the input fanned out to an experiment's variants, their tokens
// streamed as they are generated, then one summary per variant.
//
// Backpressure: the reactor appends deltas to a buffer and tells the GUI
// thread at most once until it has drained it, so however fast tokens come
// (4 variants x 200 tokens/s is the arena's target), the event queue holds
// one notification, not one per token; the GUI takes everything waiting in
// one go. A comparison is finite (its variants' max_output_tokens), so the
// buffer is too. The call has its own deadline (kDeadline). A comparison is
// not retried (it would generate different text): a dropped stream ends with
// `finished(error)`. cancel() ends it midway; `finished` fires exactly once
// per start() either way (Cancelled after cancel()).

#include "client/rpc_error.h"
#include "core/experiment_results.h"

#include <QMap>
#include <QObject>
#include <QStringList>
#include <chrono>
#include <memory>
#include <vector>

namespace sb {

class Connection;
class PostGuard;
namespace detail {
struct ActiveCall;
}

struct CompareRequest
{
    QString experimentId;
    QStringList variantIds; // empty = all of the experiment's
    QMap<QString, QString> variables;
    QString input;
    QString requestId; // feedback on this comparison refers to it
};

class CompareStream : public QObject
{
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds kDeadline{120000};

    explicit CompareStream(Connection *connection, QObject *parent = nullptr);
    ~CompareStream() override; // cancels a running call (no `finished` then)

    // Starts a comparison; a running one is cancelled first (its `finished`
    // fires before the new one starts).
    void start(const CompareRequest &request);
    void cancel();
    bool isRunning() const { return m_running; }
    QString requestId() const { return m_requestId; }

signals:
    // Deltas in arrival order (all variants interleaved), in one batch per drain.
    void deltasReceived(const std::vector<sb::TokenDelta> &deltas);
    void variantFinished(const sb::VariantSummary &summary);
    void finished(const sb::RpcError &status);

private:
    struct Buffer;
    class Reactor;
    void drain(quint64 generation, const std::shared_ptr<Buffer> &buffer);
    void onCallDone(const RpcError &error, quint64 generation,
                    const std::shared_ptr<Buffer> &buffer);

    Connection *m_connection;
    std::shared_ptr<PostGuard> m_guard;
    std::shared_ptr<detail::ActiveCall> m_active;
    QString m_requestId;
    bool m_running = false;
    quint64 m_generation = 0;
};

} // namespace sb
