#include "sim_test_support.h"

#include <atomic>
#include <thread>

namespace sbtest {

sb::sim::SimOptions SimTest::options()
{
    sb::sim::SimOptions o;
    o.seed = 7;
    o.rate = 5000;
    o.timeScale = 0.05;
    o.tokens[kViewer] = {sb::sim::Role::Viewer, "vera"};
    o.tokens[kOperator] = {sb::sim::Role::Operator, "olga"};
    o.tokens[kAdmin] = {sb::sim::Role::Admin, "adam"};
    return o;
}

void SimTest::SetUp()
{
    m_server = std::make_unique<sb::sim::SimServer>(options());
    std::string error;
    ASSERT_TRUE(m_server->start(&error)) << error;
    ASSERT_GT(m_server->port(), 0);
    m_channel = grpc::CreateChannel(m_server->address(), grpc::InsecureChannelCredentials());
    m_prompts = pb::PromptService::NewStub(m_channel);
    m_experiments = pb::ExperimentService::NewStub(m_channel);
    m_telemetry = pb::TelemetryService::NewStub(m_channel);
    m_routing = pb::RoutingService::NewStub(m_channel);
    m_drills = dpb::DrillService::NewStub(m_channel);
}

void SimTest::TearDown()
{
    if (m_server)
        m_server->shutdown();
}

std::unique_ptr<grpc::ClientContext> SimTest::ctx(const std::string &token, int timeoutMs)
{
    auto c = std::make_unique<grpc::ClientContext>();
    if (!token.empty())
        c->AddMetadata("authorization", "Bearer " + token);
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeoutMs));
    return c;
}

bool SimTest::eventually(const std::function<bool()> &cond, int timeoutMs)
{
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    while (std::chrono::steady_clock::now() < end) {
        if (cond())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return cond();
}

std::string SimTest::requestId()
{
    static std::atomic<int> n{0};
    return "req-" + std::to_string(++n);
}

bool SimTest::conflictOf(const grpc::ClientContext &c, pb::Conflict *out)
{
    const auto &md = c.GetServerTrailingMetadata();
    auto it = md.find("switchboard-conflict-bin");
    if (it == md.end())
        return false;
    return out->ParseFromString(std::string(it->second.data(), it->second.size()));
}

pb::Route SimTest::route(const std::string &name)
{
    pb::GetRoutingTableResponse t;
    auto c = ctx(kViewer);
    EXPECT_TRUE(m_routing->GetRoutingTable(c.get(), {}, &t).ok());
    for (const auto &r : t.routes()) {
        if (r.name() == name)
            return r;
    }
    ADD_FAILURE() << "no route " << name;
    return {};
}

pb::Model SimTest::model(const std::string &name)
{
    pb::GetRoutingTableResponse t;
    auto c = ctx(kViewer);
    EXPECT_TRUE(m_routing->GetRoutingTable(c.get(), {}, &t).ok());
    for (const auto &m : t.models()) {
        if (m.name() == name)
            return m;
    }
    ADD_FAILURE() << "no model " << name;
    return {};
}

} // namespace sbtest
