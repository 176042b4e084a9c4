#pragma once

// ExperimentsClient: typed, asynchronous access to
// switchboard.v1.ExperimentService (reads and state changes; comparisons and
// results streaming come with the experiments capability).

#include "client/rpc_error.h"
#include "core/change.h"
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
    // An ExperimentState change: object = experiment id, experimentState = target.
    void setState(const Change &change);

signals:
    void experimentsListed(const std::vector<sb::Experiment> &experiments);
    void experimentUpdated(const sb::Experiment &experiment);
    void changeApplied(const sb::Change &change);
    void changeFailed(const sb::Change &change, const sb::RpcError &error);
    void failed(const QString &operation, const sb::RpcError &error);

private:
    void listPage(const std::string &token, std::shared_ptr<std::vector<Experiment>> acc);

    Connection *m_connection;
    std::shared_ptr<PostGuard> m_guard;
};

} // namespace sb
