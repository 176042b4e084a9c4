#include "otlp/otlp_receiver.h"

#include "google/rpc/retry_status.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

#include <QDateTime>
#include <grpcpp/grpcpp.h>

namespace sb::otlp {

namespace cmv = opentelemetry::proto::collector::metrics::v1;
namespace ctv = opentelemetry::proto::collector::trace::v1;

namespace {

grpc::Status throttled(std::chrono::milliseconds delay)
{
    const std::string message = "the console is behind on OTLP data; retry later";
    google::rpc::Status st;
    st.set_code(int(grpc::StatusCode::UNAVAILABLE));
    st.set_message(message);
    google::rpc::RetryInfo info;
    info.mutable_retry_delay()->set_seconds(delay.count() / 1000);
    info.mutable_retry_delay()->set_nanos(int32_t(delay.count() % 1000) * 1'000'000);
    st.add_details()->PackFrom(info);
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, message, st.SerializeAsString());
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// What decoding refused plus what the sink refused; the decoder's reason first.
OtlpAccepted combined(const OtlpAccepted &decoding, const OtlpAccepted &sink)
{
    OtlpAccepted r = sink;
    r.rejected = decoding.rejected + sink.rejected;
    if (!decoding.message.isEmpty())
        r.message = decoding.message;
    return r;
}

// One Export of either signal: UNAVAILABLE with a retry delay while the sink
// is behind; else accept(now) decodes and hands over, and what it rejected
// goes back as a partial success (partial sets the signal's own field).
template <class Accept, class Partial>
grpc::ServerUnaryReactor *
exportOnce(grpc::CallbackServerContext *ctx, OtlpSink &sink, std::atomic<quint64> &throttledCount,
           std::chrono::milliseconds retryDelay, Accept accept, Partial partial)
{
    auto *reactor = ctx->DefaultReactor();
    if (sink.overloaded()) {
        ++throttledCount;
        reactor->Finish(throttled(retryDelay));
        return reactor;
    }
    const OtlpAccepted r = accept(nowMs());
    if (r.rejected)
        partial(r.rejected, r.message.toStdString());
    reactor->Finish(grpc::Status::OK);
    return reactor;
}

} // namespace

class OtlpReceiver::MetricsImpl final : public cmv::MetricsService::CallbackService
{
public:
    MetricsImpl(std::shared_ptr<OtlpSink> sink, const Options &o, std::shared_ptr<Counters> c)
        : m_sink(std::move(sink)), m_options(o), m_counters(std::move(c))
    {}
    grpc::ServerUnaryReactor *Export(grpc::CallbackServerContext *ctx,
                                     const cmv::ExportMetricsServiceRequest *req,
                                     cmv::ExportMetricsServiceResponse *resp) override
    {
        ++m_counters->metricExports;
        return exportOnce(
            ctx, *m_sink, m_counters->throttled, m_options.retryDelay,
            [&](qint64 now) {
                DecodedMetrics d = decodeMetrics(*req, m_options.mapping);
                return combined(d.rejects, m_sink->acceptMetrics(std::move(d.points), now));
            },
            [&](quint64 rejected, const std::string &why) {
                auto *ps = resp->mutable_partial_success();
                ps->set_rejected_data_points(qint64(rejected));
                ps->set_error_message(why);
            });
    }

private:
    std::shared_ptr<OtlpSink> m_sink;
    Options m_options;
    std::shared_ptr<Counters> m_counters;
};

class OtlpReceiver::TraceImpl final : public ctv::TraceService::CallbackService
{
public:
    TraceImpl(std::shared_ptr<OtlpSink> sink, const Options &o, std::shared_ptr<Counters> c)
        : m_sink(std::move(sink)), m_options(o), m_counters(std::move(c))
    {}
    grpc::ServerUnaryReactor *Export(grpc::CallbackServerContext *ctx,
                                     const ctv::ExportTraceServiceRequest *req,
                                     ctv::ExportTraceServiceResponse *resp) override
    {
        ++m_counters->traceExports;
        return exportOnce(
            ctx, *m_sink, m_counters->throttled, m_options.retryDelay,
            [&](qint64 now) {
                DecodedSpans d = decodeSpans(*req, m_options.mapping);
                return combined(d.rejects, m_sink->acceptSpans(std::move(d.spans), now));
            },
            [&](quint64 rejected, const std::string &why) {
                auto *ps = resp->mutable_partial_success();
                ps->set_rejected_spans(qint64(rejected));
                ps->set_error_message(why);
            });
    }

private:
    std::shared_ptr<OtlpSink> m_sink;
    Options m_options;
    std::shared_ptr<Counters> m_counters;
};

OtlpReceiver::OtlpReceiver(std::shared_ptr<OtlpSink> sink, Options options)
    : m_sink(std::move(sink)), m_options(std::move(options))
{}

OtlpReceiver::~OtlpReceiver()
{
    shutdown();
}

bool OtlpReceiver::start(std::string *error)
{
    m_metrics = std::make_unique<MetricsImpl>(m_sink, m_options, m_counters);
    m_trace = std::make_unique<TraceImpl>(m_sink, m_options, m_counters);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(m_options.address, grpc::InsecureServerCredentials(), &m_port);
    builder.SetMaxReceiveMessageSize(m_options.maxMessageBytes);
    builder.RegisterService(m_metrics.get());
    builder.RegisterService(m_trace.get());
    m_server = builder.BuildAndStart();
    if (!m_server || m_port == 0) {
        if (error)
            *error = "cannot listen on " + m_options.address + " for OTLP/gRPC";
        m_server.reset();
        return false;
    }
    return true;
}

std::string OtlpReceiver::address() const
{
    const auto colon = m_options.address.rfind(':');
    return m_options.address.substr(0, colon) + ':' + std::to_string(m_port);
}

void OtlpReceiver::shutdown()
{
    if (m_server) {
        m_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
        m_server->Wait();
        m_server.reset();
    }
}

OtlpReceiver::Stats OtlpReceiver::stats() const
{
    return {m_counters->metricExports.load(), m_counters->traceExports.load(),
            m_counters->throttled.load()};
}

namespace {
OtlpFeed *g_feed = nullptr;
}

OtlpFeed::OtlpFeed(std::shared_ptr<OtlpSink> sink, int intervalMs, QObject *parent)
    : QObject(parent), m_sink(std::move(sink))
{
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &OtlpFeed::drainNow);
    m_timer.start();
}

OtlpFeed *OtlpFeed::global()
{
    return g_feed;
}

void OtlpFeed::setGlobal(OtlpFeed *feed)
{
    g_feed = feed;
}

void OtlpFeed::drainNow()
{
    SeriesUpdate u = m_sink->take();
    if (!u.newSeries.empty() || !u.seconds.empty())
        emit updated(u);
}

} // namespace sb::otlp
