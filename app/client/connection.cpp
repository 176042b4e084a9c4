#include "client/connection.h"

#include "client/call_tracker.h"
#include "client/post_guard.h"
#include "grpc/health/v1/health.grpc.pb.h"

#include <grpcpp/grpcpp.h>

namespace sb {

Connection::Connection(QObject *parent)
    : QObject(parent), m_guard(std::make_shared<PostGuard>(this))
{
    m_healthTimer.setInterval(2000);
    connect(&m_healthTimer, &QTimer::timeout, this, &Connection::checkHealth);
}

Connection::~Connection()
{
    m_guard->detach();
    std::lock_guard lock(m_mutex);
    CallTracker::retire(std::move(m_channel));
}

QString Connection::stateName(State s)
{
    switch (s) {
    case State::Idle:
        return tr("not connected");
    case State::Connecting:
        return tr("connecting");
    case State::Ready:
        return tr("connected");
    case State::NotServing:
        return tr("not serving");
    case State::Unavailable:
        return tr("unavailable");
    }
    return {};
}

void Connection::connectTo(const QString &target, const QString &token)
{
    grpc::ChannelArguments args;
    // Reconnect quickly after a service restart: the default backoff grows to 120 s.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 4000);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 250);
    args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    auto channel =
        grpc::CreateCustomChannel(target.toStdString(), grpc::InsecureChannelCredentials(), args);
    {
        std::lock_guard lock(m_mutex);
        CallTracker::retire(std::move(m_channel));
        m_channel = std::move(channel);
        m_token = token.toStdString();
    }
    m_target = target;
    ++m_generation;
    m_healthInFlight = false;
    setState(State::Connecting, tr("connecting to %1").arg(target));
    emit channelChanged();
    checkHealth();
    m_healthTimer.start();
}

void Connection::disconnectFrom()
{
    m_healthTimer.stop();
    {
        std::lock_guard lock(m_mutex);
        CallTracker::retire(std::move(m_channel));
        m_channel.reset();
    }
    ++m_generation;
    setState(State::Idle, tr("disconnected"));
}

std::shared_ptr<grpc::Channel> Connection::channel() const
{
    std::lock_guard lock(m_mutex);
    return m_channel;
}

void Connection::prepare(grpc::ClientContext &ctx, std::chrono::milliseconds deadline) const
{
    ctx.set_deadline(std::chrono::system_clock::now() + deadline);
    std::lock_guard lock(m_mutex);
    if (!m_token.empty())
        ctx.AddMetadata("authorization", "Bearer " + m_token);
}

QString Connection::humanReason(RpcCode code, const QString &grpcMessage)
{
    // gRPC's own text names internals ("failed to connect to all addresses;
    // last error: UNKNOWN: ipv4:..."); say what it means instead.
    if (grpcMessage.contains(QLatin1String("Connection refused")))
        return tr("connection refused: nothing is listening there");
    if (grpcMessage.contains(QLatin1String("DNS")) ||
        grpcMessage.contains(QLatin1String("resolution"), Qt::CaseInsensitive))
        return tr("cannot resolve the host name");
    if (code == RpcCode::DeadlineExceeded)
        return tr("no answer within %1 s").arg(double(kHealthDeadline.count()) / 1000.0);
    if (code == RpcCode::Unimplemented)
        return tr("the service does not serve grpc.health.v1");
    if (grpcMessage.contains(QLatin1String("Socket closed")) ||
        grpcMessage.contains(QLatin1String("Connection reset")))
        return tr("the connection was closed by the service");
    return grpcMessage.isEmpty() ? tr("no answer") : grpcMessage;
}

void Connection::setState(State s, const QString &detail)
{
    const bool changed = s != m_state || detail != m_lastError;
    m_state = s;
    m_lastError = detail;
    if (changed)
        emit stateChanged(s, detail);
}

void Connection::checkHealth()
{
    CallTracker::releaseRetired(); // old channels, once nothing uses them
    auto ch = channel();
    if (!ch || m_healthInFlight)
        return;
    m_healthInFlight = true;
    struct Call
    {
        grpc::ClientContext ctx;
        grpc::health::v1::HealthCheckRequest req;
        grpc::health::v1::HealthCheckResponse resp;
        std::unique_ptr<grpc::health::v1::Health::Stub> stub;
        std::chrono::steady_clock::time_point started;
    };
    auto call = std::make_shared<Call>();
    call->stub = grpc::health::v1::Health::NewStub(ch);
    prepare(call->ctx, kHealthDeadline);
    call->started = std::chrono::steady_clock::now();
    const quint64 gen = m_generation;
    CallTracker::add(&call->ctx);
    call->stub->async()->Check(
        &call->ctx, &call->req, &call->resp,
        [this, call, gen, guard = m_guard](grpc::Status status) mutable {
            const double rtt = std::chrono::duration<double, std::milli>(
                                   std::chrono::steady_clock::now() - call->started)
                                   .count();
            const RpcCode code = rpcCodeFromInt(int(status.error_code()));
            const QString msg = QString::fromStdString(status.error_message());
            const int serving = call->resp.status();
            guard->post([this, gen, code, msg, serving, rtt] {
                if (gen != m_generation)
                    return; // an answer from a previous target
                m_healthInFlight = false;
                if (code != RpcCode::Ok) {
                    setState(State::Unavailable, humanReason(code, msg));
                    return;
                }
                m_rttMs = rtt;
                emit rttMeasured(rtt);
                if (serving == grpc::health::v1::HealthCheckResponse::SERVING)
                    setState(State::Ready, QString());
                else
                    setState(State::NotServing, tr("service reports it is not serving"));
            });
            const void *key = &call->ctx;
            call.reset(); // context and stub go before the tracker hears of it
            CallTracker::remove(key);
        });
}

} // namespace sb
