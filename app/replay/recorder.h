#pragma once

// Recorder (--record FILE): writes every response the console receives from
// its services (the latency stream's batches, the watch streams' events and
// the answers to its reads), with the call's method and request and the time
// it arrived, to a recording file (replay/recording_file.h). It sits in the
// channel as a gRPC client interceptor, so no client, controller or page
// knows it is there. Only switchboard.* methods are kept (not health checks).
// Tokens travel in metadata, which is not recorded.
//
// Known gap: writes happen on gRPC's threads into a stdio buffer (flushed
// every second and at stop()); a full disk stops the recording with a
// warning but not the session.

#include <QString>
#include <memory>

namespace sb::replay {

class Recorder
{
public:
    Recorder();
    ~Recorder(); // stops

    Recorder(const Recorder &) = delete;
    Recorder &operator=(const Recorder &) = delete;

    // Opens (truncates) the file and writes its header; channels created
    // afterwards are recorded. False with why when the file cannot be written.
    bool start(const QString &path, QString *error);
    // No more recording; flushes and closes. Idempotent.
    void stop();
    // Messages written so far.
    quint64 messages() const;

    struct Sink; // the open file, shared with the calls being recorded

private:
    std::shared_ptr<Sink> m_sink;
};

} // namespace sb::replay
