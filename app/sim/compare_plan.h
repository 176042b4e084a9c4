#pragma once

// Compare, planned up front: who serves each variant, what it says (tokens from
// compare_text.h) and when each token arrives; CompareWriter then releases
// the events as the sim's clock passes them. Also the variant rules that
// Compare shares with CreateExperiment and UpdateExperiment.

#include "sim/state.h"
#include "sim/streams.h"
#include "switchboard/v1/experiment_service.grpc.pb.h"

#include <string>
#include <vector>

namespace sb::sim {

// Call with the state mutex held (checks prompts and models exist).
grpc::Status validateVariants(const SimState &state,
                              const google::protobuf::RepeatedPtrField<pb::Variant> &variants,
                              const std::string &path, bool needWeight);

struct ScheduledEvent
{
    int64_t atUs;
    uint64_t order;
    pb::CompareResponse message;
};

class CompareWriter final : public StreamWriter<pb::CompareResponse>
{
public:
    explicit CompareWriter(std::vector<ScheduledEvent> events) : m_events(std::move(events)) {}

protected:
    bool produceLocked(pb::CompareResponse *out, int64_t nowUs) override
    {
        if (m_next == m_events.size()) {
            finishLocked(grpc::Status::OK);
            return false;
        }
        if (m_events[m_next].atUs > nowUs)
            return false;
        *out = std::move(m_events[m_next].message);
        ++m_next;
        return true;
    }

private:
    std::vector<ScheduledEvent> m_events;
    size_t m_next = 0;
};

// Call without the state mutex (takes it). On success events are in send order.
grpc::Status planCompare(SimState &state, const pb::CompareRequest &req, int64_t startUs,
                         std::vector<ScheduledEvent> *events);

} // namespace sb::sim
