#pragma once

// The conformance kit's core: what a check is, the connection and helpers
// every check uses (a context per role with a deadline, unique request ids and
// object names, assertions that say what the contract wanted), and the runner
// that applies --only/--skip, the destructive opt-in and the overall time
// limit. Checks live in checks_<section>.cpp, one file per contract section;
// report.cpp writes the text and JUnit reports.

#include "switchboard/v1/experiment_service.grpc.pb.h"
#include "switchboard/v1/prompt_service.grpc.pb.h"
#include "switchboard/v1/routing_service.grpc.pb.h"
#include "switchboard/v1/telemetry_service.grpc.pb.h"

#include <chrono>
#include <functional>
#include <grpcpp/grpcpp.h>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sb::conformance {

namespace pb = switchboard::v1;

enum class As
{
    Nobody, // no authorization metadata at all
    Viewer,
    Operator,
    Admin
};

struct Options
{
    std::string target;
    std::string viewerToken;
    std::string operatorToken;
    std::string adminToken;
    std::vector<std::string> only; // check ids or sections (prefix before '.'); empty = all
    std::vector<std::string> skip;
    bool destructive = false; // run checks that change shared routing or take traffic
    int callTimeoutMs = 5000; // deadline of every unary call
    int timeLimitS = 300;     // hard limit for the whole run
    int rounds = 40;          // rounds of the concurrent-writer races
    int writers = 4;          // writers per race round
    std::string junitPath;    // empty: no JUnit file
};

// Thrown by a check when the service broke the contract.
class Failure : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// Thrown by a check that cannot apply to this service (e.g. no route with a
// fallback step); reported as skipped with the reason.
class NotApplicable : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

class Kit;

struct Check
{
    std::string id;   // section.name, e.g. "etag.race_prompts"
    std::string rule; // what the contract promises, one line
    bool destructive; // changes shared routing state or takes real traffic
    std::function<void(Kit &)> run;
};

enum class Outcome
{
    Pass,
    Fail,
    Skip
};

struct Result
{
    std::string id;
    std::string rule;
    Outcome outcome = Outcome::Pass;
    std::string message;
    double seconds = 0;
};

class Kit
{
public:
    explicit Kit(const Options &options);

    const Options &options() const { return m_options; }

    // A context carrying the role's token and a deadline (the call timeout by
    // default, never past the run's hard limit).
    std::unique_ptr<grpc::ClientContext> ctx(As as, int timeoutMs = 0) const;
    // A context with a raw authorization value (or several), for auth parsing.
    std::unique_ptr<grpc::ClientContext> rawAuthCtx(const std::vector<std::string> &values) const;
    // Milliseconds left before the hard limit.
    int64_t msLeft() const;

    // Unique per run: request ids and names of objects the kit creates.
    std::string requestId();
    std::string name(const std::string &what); // "conformance-<run>-<what>"

    pb::PromptService::Stub &prompts() { return *m_prompts; }
    pb::ExperimentService::Stub &experiments() { return *m_experiments; }
    pb::RoutingService::Stub &routing() { return *m_routing; }
    pb::TelemetryService::Stub &telemetry() { return *m_telemetry; }
    std::shared_ptr<grpc::Channel> channel() const { return m_channel; }

    // The kit's own prompt (created on first use) and an experiment in DRAFT
    // on it, shared by the checks that need a target they may write to.
    pb::Prompt ownPrompt();
    pb::Prompt currentPrompt(const std::string &name);
    pb::Experiment ownDraftExperiment();
    // A fresh CreatePromptVersion request on top of `prompt` as read.
    pb::CreatePromptVersionRequest newVersion(const pb::Prompt &prompt, const std::string &message);
    // One that creates the prompt `name`.
    pb::CreatePromptVersionRequest firstVersion(const std::string &name,
                                                const std::string &message);
    pb::CreateExperimentRequest newExperiment(const std::string &route, const std::string &prompt);
    pb::GetRoutingTableResponse table();

private:
    Options m_options;
    std::chrono::steady_clock::time_point m_hardDeadline;
    std::string m_run;
    uint64_t m_counter = 0;
    std::shared_ptr<grpc::Channel> m_channel;
    std::unique_ptr<pb::PromptService::Stub> m_prompts;
    std::unique_ptr<pb::ExperimentService::Stub> m_experiments;
    std::unique_ptr<pb::RoutingService::Stub> m_routing;
    std::unique_ptr<pb::TelemetryService::Stub> m_telemetry;
    std::string m_ownPrompt;
    std::string m_ownExperiment;
};

// Assertions: each throws Failure with `what` and what was seen.
void require(bool cond, const std::string &what);
void expectOk(const grpc::Status &st, const std::string &what);
void expectCode(const grpc::Status &st, grpc::StatusCode code, const std::string &what);
// The code and a message starting with `path: `.
void expectError(const grpc::Status &st, grpc::StatusCode code, const std::string &path,
                 const std::string &what);
std::string codeName(grpc::StatusCode code);
std::string describe(const grpc::Status &st);
// The Conflict in a finished call's trailers, if any.
bool conflictOf(const grpc::ClientContext &c, pb::Conflict *out);

// Every check, in report order (sections as in the contract).
std::vector<Check> allChecks();
void addAuthChecks(std::vector<Check> &out);
void addEtagChecks(std::vector<Check> &out);
void addIdempotencyChecks(std::vector<Check> &out);
void addErrorChecks(std::vector<Check> &out);
void addListChecks(std::vector<Check> &out);
void addRoutingChecks(std::vector<Check> &out);
void addTelemetryChecks(std::vector<Check> &out);
void addExperimentChecks(std::vector<Check> &out);
void addPromptChecks(std::vector<Check> &out);

// Whether a check is selected by --only/--skip (ids or sections).
bool selected(const Check &c, const Options &o);
// Runs the selected checks in order; stops starting new ones at the limit.
std::vector<Result> runChecks(Kit &kit, const std::vector<Check> &checks);

std::string textReport(const std::vector<Result> &results, const Options &o);
std::string junitReport(const std::vector<Result> &results, const Options &o);

} // namespace sb::conformance
