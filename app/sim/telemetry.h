#pragma once

// The telemetry side of the sim: the ring of recent sample batches with global
// sequence numbers, the id dictionary of the columnar stream, and the
// TelemetryService (StreamLatency, StreamSketches) that reads from them.

#include "sim/streams.h"
#include "switchboard/v1/telemetry_service.grpc.pb.h"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sb::sim {

struct SimState;

// One tick's worth of samples, columnar like StreamLatencyResponse.
struct Batch
{
    uint64_t sequence = 0;
    int64_t baseUs = 0;
    std::vector<uint32_t> offsetMicros;
    std::vector<float> latencyMs;
    std::vector<float> ttftMs;
    std::vector<uint32_t> routeIds;
    std::vector<uint32_t> modelIds;
    std::vector<uint32_t> variantIds;
    std::vector<uint32_t> statusCodes;
    std::vector<uint32_t> outputTokens;
    std::vector<uint8_t> fallbackUsed;

    size_t size() const { return latencyMs.size(); }
    void reserve(size_t n);
};

class Telemetry
{
public:
    // How long batches stay replayable, and a hard cap on their number.
    static constexpr int64_t kKeepMicros = 30 * 1000000ll;
    static constexpr size_t kMaxBatches = 4096;

    explicit Telemetry(std::string epoch);

    const std::string &epoch() const { return m_epoch; }

    // Id of a name of one kind, added to the dictionary when new. Ids count up
    // from 1 per kind; 0 means none.
    uint32_t dictionaryId(switchboard::v1::DictionaryKind kind, const std::string &name);
    // 0 when unknown.
    uint32_t lookupId(switchboard::v1::DictionaryKind kind, const std::string &name);
    std::string lookupName(switchboard::v1::DictionaryKind kind, uint32_t id);
    // Appends entries [from, end) to *out and returns the new end.
    size_t
    dictionarySince(size_t from,
                    google::protobuf::RepeatedPtrField<switchboard::v1::DictionaryEntry> *out);

    // Assigns the next sequence number and drops batches older than the window.
    void append(std::shared_ptr<Batch> batch);
    // The batch after `cursor`, the oldest one if `cursor` fell out of the
    // ring, or null when there is nothing new yet.
    std::shared_ptr<const Batch> nextAfter(uint64_t cursor);
    // The cursor from which nextAfter() yields the oldest kept batch whose
    // base time is at or after `sinceUs` (a backfill's start); the latest
    // sequence when no kept batch is that recent.
    uint64_t cursorSince(int64_t sinceUs);
    uint64_t latestSequence();
    uint64_t oldestSequence(); // 0 when empty

    // Latency and sketch streams, poked after every append (and every tick).
    PokeList &subscribers() { return m_subscribers; }

private:
    std::string m_epoch;
    std::mutex m_mutex;
    std::deque<std::shared_ptr<const Batch>> m_ring;
    uint64_t m_nextSequence = 1;
    std::vector<switchboard::v1::DictionaryEntry> m_dictionary;
    std::map<std::pair<int, std::string>, uint32_t> m_ids;
    std::map<int, uint32_t> m_nextId;
    PokeList m_subscribers;
};

std::unique_ptr<grpc::Service> makeTelemetryService(SimState &state);

} // namespace sb::sim
