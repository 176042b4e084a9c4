#pragma once

// OtlpReceiver: an OTLP/gRPC server (MetricsService and TraceService, the
// OpenTelemetry Collector's `otlp` receiver protocol) inside the console,
// feeding an OtlpSink. Off unless the console is started with
// --otlp-listen; it listens where told (127.0.0.1:4317 in the examples;
// binding a non-loopback address is the user's explicit choice).
//
// Everything runs on gRPC's own threads: decoding, validation and the sink's
// short critical section. The GUI only drains the sink on a timer (OtlpFeed),
// so a flood of exports never blocks it. Answers, per the OTLP spec
// ("OTLP/gRPC"): OK with partial_success (rejected_data_points /
// rejected_spans and the first reason) when some points were refused;
// UNAVAILABLE with a google.rpc.RetryInfo delay while the sink is full (the
// exporter retries; nothing of that request was counted);
// RESOURCE_EXHAUSTED from gRPC itself for a message above maxMessageBytes.
// gzip-compressed requests are accepted (gRPC decompresses them).

#include "otlp/otlp_decode.h"

#include <QObject>
#include <QTimer>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace grpc {
class Server;
}

namespace sb::otlp {

class OtlpReceiver
{
public:
    struct Options
    {
        std::string address = "127.0.0.1:4317";
        int maxMessageBytes = 16 << 20;
        std::chrono::milliseconds retryDelay{1000};
        Mapping mapping;
    };
    struct Stats
    {
        quint64 metricExports = 0;
        quint64 traceExports = 0;
        quint64 throttled = 0; // answered UNAVAILABLE
    };

    OtlpReceiver(std::shared_ptr<OtlpSink> sink, Options options);
    ~OtlpReceiver();
    OtlpReceiver(const OtlpReceiver &) = delete;
    OtlpReceiver &operator=(const OtlpReceiver &) = delete;

    bool start(std::string *error);
    // The bound port (useful with port 0).
    int port() const { return m_port; }
    std::string address() const;
    void shutdown();
    Stats stats() const;
    OtlpSink &sink() { return *m_sink; }

private:
    class MetricsImpl;
    class TraceImpl;
    std::shared_ptr<OtlpSink> m_sink;
    Options m_options;
    std::unique_ptr<MetricsImpl> m_metrics;
    std::unique_ptr<TraceImpl> m_trace;
    std::unique_ptr<grpc::Server> m_server;
    int m_port = 0;
    struct Counters
    {
        std::atomic<quint64> metricExports{0}, traceExports{0}, throttled{0};
    };
    std::shared_ptr<Counters> m_counters = std::make_shared<Counters>();
};

// Drains a sink on the GUI thread at most every intervalMs and hands the
// series on; the receiving controller maps the sink's ids onto its own.
class OtlpFeed : public QObject
{
    Q_OBJECT
public:
    explicit OtlpFeed(std::shared_ptr<OtlpSink> sink, int intervalMs = 200,
                      QObject *parent = nullptr);
    const OtlpSink &sink() const { return *m_sink; }
    // The console's feed (null without --otlp-listen).
    static OtlpFeed *global();
    static void setGlobal(OtlpFeed *feed);
    void drainNow();

signals:
    void updated(const sb::SeriesUpdate &update);

private:
    std::shared_ptr<OtlpSink> m_sink;
    QTimer m_timer;
};

} // namespace sb::otlp
