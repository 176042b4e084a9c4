#include "conformance/kit.h"

#include <atomic>
#include <cstdio>
#include <random>

namespace sb::conformance {

namespace {

using Clock = std::chrono::steady_clock;

std::string randomRun()
{
    std::random_device rd;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", unsigned(rd()));
    return buf;
}

} // namespace

Kit::Kit(const Options &options)
    : m_options(options), m_hardDeadline(Clock::now() + std::chrono::seconds(options.timeLimitS)),
      m_run(randomRun())
{
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    m_channel = grpc::CreateCustomChannel(options.target, grpc::InsecureChannelCredentials(), args);
    m_prompts = pb::PromptService::NewStub(m_channel);
    m_experiments = pb::ExperimentService::NewStub(m_channel);
    m_routing = pb::RoutingService::NewStub(m_channel);
    m_telemetry = pb::TelemetryService::NewStub(m_channel);
}

int64_t Kit::msLeft() const
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(m_hardDeadline - Clock::now())
        .count();
}

std::unique_ptr<grpc::ClientContext> Kit::ctx(As as, int timeoutMs) const
{
    auto c = std::make_unique<grpc::ClientContext>();
    const std::string *token = nullptr;
    switch (as) {
    case As::Viewer:
        token = &m_options.viewerToken;
        break;
    case As::Operator:
        token = &m_options.operatorToken;
        break;
    case As::Admin:
        token = &m_options.adminToken;
        break;
    case As::Nobody:
        break;
    }
    if (token && !token->empty())
        c->AddMetadata("authorization", "Bearer " + *token);
    const int64_t ms = std::min<int64_t>(timeoutMs > 0 ? timeoutMs : m_options.callTimeoutMs,
                                         std::max<int64_t>(msLeft(), 1));
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(ms));
    return c;
}

std::unique_ptr<grpc::ClientContext> Kit::rawAuthCtx(const std::vector<std::string> &values) const
{
    auto c = ctx(As::Nobody);
    for (const auto &v : values)
        c->AddMetadata("authorization", v);
    return c;
}

std::string Kit::requestId()
{
    return "conformance-" + m_run + "-" + std::to_string(++m_counter);
}

std::string Kit::name(const std::string &what)
{
    return "conformance-" + m_run + "-" + what;
}

pb::CreatePromptVersionRequest Kit::newVersion(const pb::Prompt &prompt, const std::string &message)
{
    auto r = firstVersion(prompt.name(), message);
    r.set_expected_etag(prompt.etag());
    r.set_parent_version(prompt.latest_version());
    r.clear_description();
    return r;
}

pb::CreatePromptVersionRequest Kit::firstVersion(const std::string &name,
                                                 const std::string &message)
{
    pb::CreatePromptVersionRequest r;
    r.set_prompt_name(name);
    r.set_request_id(requestId());
    r.set_template_("Answer {{question}} briefly.");
    auto *v = r.add_variables();
    v->set_name("question");
    v->set_default_value("why");
    r.set_model("conformance-model");
    r.set_message(message);
    r.set_description("Created by switchboard-conformance; safe to delete.");
    return r;
}

pb::Prompt Kit::currentPrompt(const std::string &name)
{
    pb::GetPromptRequest req;
    req.set_name(name);
    pb::GetPromptResponse resp;
    auto c = ctx(As::Viewer);
    expectOk(m_prompts->GetPrompt(c.get(), req, &resp), "GetPrompt " + name);
    return resp.prompt();
}

pb::Prompt Kit::ownPrompt()
{
    if (!m_ownPrompt.empty())
        return currentPrompt(m_ownPrompt);
    const std::string name = this->name("prompt");
    pb::CreatePromptVersionResponse resp;
    auto c = ctx(As::Operator);
    expectOk(m_prompts->CreatePromptVersion(c.get(), firstVersion(name, "first"), &resp),
             "CreatePromptVersion creating the kit's prompt " + name);
    m_ownPrompt = name;
    return resp.prompt();
}

pb::GetRoutingTableResponse Kit::table()
{
    pb::GetRoutingTableResponse resp;
    auto c = ctx(As::Viewer);
    expectOk(m_routing->GetRoutingTable(c.get(), {}, &resp), "GetRoutingTable");
    return resp;
}

pb::CreateExperimentRequest Kit::newExperiment(const std::string &route, const std::string &prompt)
{
    const pb::GetRoutingTableResponse t = table();
    std::string model;
    for (const auto &r : t.routes()) {
        if (r.name() == route)
            model = r.primary_model();
    }
    pb::CreateExperimentRequest req;
    req.set_request_id(requestId());
    auto *e = req.mutable_experiment();
    e->set_name("switchboard-conformance " + name("experiment"));
    e->set_description("Created by switchboard-conformance; safe to stop.");
    e->set_route(route);
    e->set_primary_metric(pb::METRIC_LATENCY);
    for (const char *id : {"a", "b"}) {
        auto *v = e->add_variants();
        v->set_id(id);
        v->set_name(std::string("variant ") + id);
        v->set_prompt_name(prompt);
        v->set_prompt_version(1);
        v->set_model(model);
        v->set_weight(1);
    }
    return req;
}

pb::Experiment Kit::ownDraftExperiment()
{
    if (!m_ownExperiment.empty()) {
        pb::GetExperimentRequest g;
        g.set_id(m_ownExperiment);
        pb::GetExperimentResponse resp;
        auto c = ctx(As::Viewer);
        expectOk(m_experiments->GetExperiment(c.get(), g, &resp), "GetExperiment");
        return resp.experiment();
    }
    const pb::GetRoutingTableResponse t = table();
    if (t.routes().empty())
        throw NotApplicable("the routing table has no route to put an experiment on");
    const pb::Prompt p = ownPrompt();
    pb::CreateExperimentResponse resp;
    auto c = ctx(As::Operator);
    expectOk(m_experiments->CreateExperiment(c.get(), newExperiment(t.routes(0).name(), p.name()),
                                             &resp),
             "CreateExperiment (the kit's draft)");
    require(resp.experiment().state() == pb::EXPERIMENT_STATE_DRAFT,
            "a created experiment is in DRAFT");
    m_ownExperiment = resp.experiment().id();
    return resp.experiment();
}

void require(bool cond, const std::string &what)
{
    if (!cond)
        throw Failure(what);
}

std::string codeName(grpc::StatusCode code)
{
    static const char *kNames[] = {"OK",
                                   "CANCELLED",
                                   "UNKNOWN",
                                   "INVALID_ARGUMENT",
                                   "DEADLINE_EXCEEDED",
                                   "NOT_FOUND",
                                   "ALREADY_EXISTS",
                                   "PERMISSION_DENIED",
                                   "RESOURCE_EXHAUSTED",
                                   "FAILED_PRECONDITION",
                                   "ABORTED",
                                   "OUT_OF_RANGE",
                                   "UNIMPLEMENTED",
                                   "INTERNAL",
                                   "UNAVAILABLE",
                                   "DATA_LOSS",
                                   "UNAUTHENTICATED"};
    const int i = int(code);
    return i >= 0 && i <= 16 ? kNames[i] : "code " + std::to_string(i);
}

std::string describe(const grpc::Status &st)
{
    if (st.ok())
        return "OK";
    return codeName(st.error_code()) + " \"" + st.error_message() + "\"";
}

void expectOk(const grpc::Status &st, const std::string &what)
{
    if (!st.ok())
        throw Failure(what + ": expected OK, got " + describe(st));
}

void expectCode(const grpc::Status &st, grpc::StatusCode code, const std::string &what)
{
    if (st.error_code() != code)
        throw Failure(what + ": expected " + codeName(code) + ", got " + describe(st));
}

void expectError(const grpc::Status &st, grpc::StatusCode code, const std::string &path,
                 const std::string &what)
{
    expectCode(st, code, what);
    const std::string prefix = path + ": ";
    if (st.error_message().compare(0, prefix.size(), prefix) != 0)
        throw Failure(what + ": the message must start with the field path `" + prefix +
                      "`, got \"" + st.error_message() + "\"");
}

bool conflictOf(const grpc::ClientContext &c, pb::Conflict *out)
{
    const auto &md = c.GetServerTrailingMetadata();
    auto it = md.find("switchboard-conflict-bin");
    if (it == md.end())
        return false;
    return out->ParseFromString(std::string(it->second.data(), it->second.size()));
}

std::vector<Check> allChecks()
{
    std::vector<Check> out;
    addAuthChecks(out);
    addEtagChecks(out);
    addIdempotencyChecks(out);
    addErrorChecks(out);
    addListChecks(out);
    addPromptChecks(out);
    addRoutingChecks(out);
    addTelemetryChecks(out);
    addExperimentChecks(out);
    return out;
}

namespace {

bool matches(const Check &c, const std::string &pattern)
{
    if (c.id == pattern)
        return true;
    const std::string section = c.id.substr(0, c.id.find('.'));
    return section == pattern;
}

} // namespace

bool selected(const Check &c, const Options &o)
{
    bool in = o.only.empty();
    for (const auto &p : o.only)
        in = in || matches(c, p);
    for (const auto &p : o.skip)
        in = in && !matches(c, p);
    return in;
}

std::vector<Result> runChecks(Kit &kit, const std::vector<Check> &checks)
{
    std::vector<Result> results;
    for (const Check &c : checks) {
        if (!selected(c, kit.options()))
            continue;
        Result r{c.id, c.rule, Outcome::Pass, {}, 0};
        if (c.destructive && !kit.options().destructive) {
            r.outcome = Outcome::Skip;
            r.message = "destructive (changes shared routing or takes traffic): pass --destructive";
            results.push_back(r);
            continue;
        }
        if (kit.msLeft() <= 0) {
            r.outcome = Outcome::Fail;
            r.message = "not run: the overall time limit was reached";
            results.push_back(r);
            continue;
        }
        const auto start = Clock::now();
        try {
            c.run(kit);
        } catch (const Failure &f) {
            r.outcome = Outcome::Fail;
            r.message = f.what();
        } catch (const NotApplicable &n) {
            r.outcome = Outcome::Skip;
            r.message = n.what();
        } catch (const std::exception &e) {
            r.outcome = Outcome::Fail;
            r.message = std::string("unexpected error: ") + e.what();
        }
        r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        results.push_back(r);
    }
    return results;
}

} // namespace sb::conformance
