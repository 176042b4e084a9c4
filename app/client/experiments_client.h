#pragma once

// ExperimentsClient: typed, asynchronous access to the unary calls of
// switchboard.v1.ExperimentService: list, create, state and weight changes
// (one Change each, with the etag the user saw and a request id), results
// and human feedback. The two streams, Compare and WatchResults, are
// CompareStream and ResultsWatch. Every method returns at once; answers
// arrive as signals on this object's thread.

#include "client/rpc_error.h"
#include "core/change.h"
#include "core/experiment_results.h"
#include "core/types.h"

#include <QObject>
#include <memory>
#include <vector>

namespace sb {

class Connection;
class PostGuard;

class ExperimentsClient : public QObject
{
    Q_OBJECT
public:
    explicit ExperimentsClient(Connection *connection, QObject *parent = nullptr);
    ~ExperimentsClient() override;

    void listExperiments(); // follows every page
    // Sends a write: ExperimentState (object = experiment id,
    // experimentState = target), ExperimentWeights (object = experiment id,
    // experiment.variants = the new list, etag expected) or ExperimentCreate
    // (experiment = the draft). Answers changeApplied or changeFailed.
    void apply(const Change &change);
    // An ExperimentState change (kept for callers of the first version).
    void setState(const Change &change) { apply(change); }
    void getResults(const QString &experimentId);
    void submitFeedback(const Feedback &feedback);

signals:
    void experimentsListed(const std::vector<sb::Experiment> &experiments);
    // After any successful write: the experiment as the service now has it
    // (for a create, with its new id).
    void experimentUpdated(const sb::Experiment &experiment);
    void changeApplied(const sb::Change &change);
    void changeFailed(const sb::Change &change, const sb::RpcError &error);
    void resultsReceived(const sb::ExperimentResults &results);
    void feedbackSubmitted(const sb::Feedback &feedback, const QString &feedbackId);
    void feedbackFailed(const sb::Feedback &feedback, const sb::RpcError &error);
    void failed(const QString &operation, const sb::RpcError &error);

private:
    void listPage(const std::string &token, std::shared_ptr<std::vector<Experiment>> acc);

    Connection *m_connection;
    std::shared_ptr<PostGuard> m_guard;
};

} // namespace sb
