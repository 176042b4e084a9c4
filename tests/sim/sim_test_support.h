#pragma once

// A SimServer per test (fresh state, fast token streaming) with stubs for every
// service and small helpers: contexts with token and deadline, polling.

#include "sim/sim_server.h"
#include "switchboard/sim/v1/drill_service.grpc.pb.h"
#include "switchboard/v1/experiment_service.grpc.pb.h"
#include "switchboard/v1/prompt_service.grpc.pb.h"
#include "switchboard/v1/routing_service.grpc.pb.h"
#include "switchboard/v1/telemetry_service.grpc.pb.h"

#include <chrono>
#include <functional>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <memory>
#include <string>

namespace sbtest {

namespace pb = switchboard::v1;
namespace dpb = switchboard::sim::v1;

inline const std::string kViewer = "viewer-token";
inline const std::string kOperator = "operator-token";
inline const std::string kAdmin = "admin-token";

class SimTest : public ::testing::Test
{
protected:
    void SetUp() override;
    void TearDown() override;

    // A context with the bearer token (none if empty) and a deadline.
    std::unique_ptr<grpc::ClientContext> ctx(const std::string &token = kOperator,
                                             int timeoutMs = 10000);
    // Polls `cond` every 20 ms until true or timeout.
    static bool eventually(const std::function<bool()> &cond, int timeoutMs = 10000);
    static std::string requestId();

    // The Conflict carried in a failed call's trailers.
    static bool conflictOf(const grpc::ClientContext &c, pb::Conflict *out);

    pb::Route route(const std::string &name);
    pb::Model model(const std::string &name);

    virtual sb::sim::SimOptions options();

    std::unique_ptr<sb::sim::SimServer> m_server;
    std::shared_ptr<grpc::Channel> m_channel;
    std::unique_ptr<pb::PromptService::Stub> m_prompts;
    std::unique_ptr<pb::ExperimentService::Stub> m_experiments;
    std::unique_ptr<pb::TelemetryService::Stub> m_telemetry;
    std::unique_ptr<pb::RoutingService::Stub> m_routing;
    std::unique_ptr<dpb::DrillService::Stub> m_drills;
};

} // namespace sbtest
