#pragma once

// ReplayServer (--replay FILE): an in-process gRPC server on 127.0.0.1 port 0
// that serves a recording (replay/recording_file.h) as the services it was
// recorded from, so the console connects to it as to any endpoint and every
// client, controller and page runs exactly as live. Streams (the latency
// batches, the routing, prompt and results watches) send what was recorded,
// each message when replay time (core/clock.h) reaches the moment it arrived;
// reads answer with what the same request got then (the latest answer by
// replay time). Writes are refused (PERMISSION_DENIED: a replay is read-only)
// and a read that was never recorded gets NOT_FOUND. grpc.health.v1 says
// SERVING. At the recording's end the streams stay open and quiet, as a live
// service with no traffic.
//
// Known gaps: a stream's request filter is honoured by matching the recorded
// request byte for byte (the latency stream takes every recorded batch,
// once); calls a user makes in the replay that were not made while recording
// (another prompt's versions) find nothing.

#include "replay/recording_file.h"

#include <memory>
#include <string>

namespace sb::replay {

class ReplayServer
{
public:
    explicit ReplayServer(Recording recording);
    ~ReplayServer(); // shuts down

    ReplayServer(const ReplayServer &) = delete;
    ReplayServer &operator=(const ReplayServer &) = delete;

    // Binds 127.0.0.1:0 and serves. Replay time must already run
    // (clock::startReplay), or streams send everything at once.
    bool start(std::string *error);
    std::string address() const;
    void shutdown(); // idempotent

    // Stream messages sent so far, over every call (tests).
    quint64 sent() const;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace sb::replay
