#pragma once

// Wire (protobuf) to domain (core) conversions. Client-layer internal: the
// rest of the console never includes generated code. Conversions are total:
// malformed or missing fields become empty/zero values, never a crash.

#include "client/rpc_error.h"
#include "core/experiment_results.h"
#include "core/types.h"
#include "switchboard/sim/v1/drill_service.pb.h"
#include "switchboard/v1/common.pb.h"
#include "switchboard/v1/experiment_service.pb.h"
#include "switchboard/v1/prompt_service.pb.h"
#include "switchboard/v1/routing_service.pb.h"

#include <grpcpp/grpcpp.h>

namespace sb::convert {

qint64 toMs(const google::protobuf::Timestamp &t);
void fromMs(qint64 ms, google::protobuf::Timestamp *t);
QString str(const std::string &s);

ModelParams toCore(const switchboard::v1::ModelParameters &p);
Prompt toCore(const switchboard::v1::Prompt &p);
PromptVersion toCore(const switchboard::v1::PromptVersion &v);
Experiment toCore(const switchboard::v1::Experiment &e);
// The fields a client writes (create, update): ids, names, variants,
// metrics, route, state. Server-set fields (etag, times) are left empty.
void toWire(const Experiment &e, switchboard::v1::Experiment *out);
switchboard::v1::ExperimentState toWire(ExperimentState s);
switchboard::v1::Metric toWire(Metric m);
// A malformed sketch becomes an empty one (its counts still stand).
LatencySketch toCore(const switchboard::v1::LatencySketch &s);
ExperimentResults toCore(const switchboard::v1::ExperimentResults &r);
VariantSummary toCore(const switchboard::v1::VariantSummary &s);
ServedShare toCore(const switchboard::v1::ServedShare &s);
Route toCore(const switchboard::v1::Route &r);
Model toCore(const switchboard::v1::Model &m);
AuditEvent toCore(const switchboard::v1::AuditEvent &a);
Drill toCore(const switchboard::sim::v1::Drill &d);
DrillKind toCore(switchboard::sim::v1::DrillKind k);
switchboard::sim::v1::DrillKind toWire(DrillKind k);

// Status plus trailers → RpcError, decoding `switchboard-conflict-bin`.
RpcError toError(const grpc::Status &status, const grpc::ClientContext &ctx);
// The `switchboard-conflict-bin` trailer's bytes → the other writer's change;
// nullopt when they are not a Conflict (the error then stands without one).
std::optional<ConflictInfo> decodeConflict(const char *data, std::size_t size);

} // namespace sb::convert
