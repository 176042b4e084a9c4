#include "client/connection.h"

#include "client/call_tracker.h"
#include "client/channel_factory.h"
#include "client/connection_errors.h"
#include "client/post_guard.h"
#include "client/stream_reactor.h"
#include "client/tls_probe.h"
#include "grpc/health/v1/health.grpc.pb.h"

#include <grpcpp/grpcpp.h>

namespace sb {

namespace {

using grpc::health::v1::HealthCheckResponse;

class HealthWatch final : public detail::StreamReactor<HealthCheckResponse>
{
public:
    using OnStatus = std::function<void(int)>;
    HealthWatch(const std::shared_ptr<grpc::Channel> &channel,
                std::shared_ptr<detail::ActiveCall> active, Done done, OnStatus onStatus)
        : StreamReactor(std::move(active), std::move(done)),
          m_stub(grpc::health::v1::Health::NewStub(channel)), m_onStatus(std::move(onStatus))
    {}

    void begin()
    {
        StreamReactor::begin([this](grpc::ClientContext *ctx, auto *r) {
            m_stub->async()->Watch(ctx, &m_request, r); // "" = the whole server
        });
    }

protected:
    void onMessage(const HealthCheckResponse &m) override { m_onStatus(int(m.status())); }

private:
    std::unique_ptr<grpc::health::v1::Health::Stub> m_stub;
    grpc::health::v1::HealthCheckRequest m_request;
    OnStatus m_onStatus;
};

} // namespace

Connection::Connection(QObject *parent)
    : QObject(parent), m_guard(std::make_shared<PostGuard>(this)),
      m_watch(std::make_shared<detail::ActiveCall>())
{
    m_healthTimer.setInterval(2000);
    connect(&m_healthTimer, &QTimer::timeout, this, &Connection::checkHealth);
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &Connection::startWatch);
}

Connection::~Connection()
{
    m_guard->detach();
    m_watch->cancel();
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

QString Connection::humanReason(RpcCode code, const QString &grpcMessage)
{
    return describeConnectFailure(code, grpcMessage, ChannelSpec{});
}

void Connection::connectTo(const QString &target, const QString &token)
{
    ChannelSpec spec;
    spec.target = target;
    spec.token = token;
    connectTo(spec);
}

void Connection::connectTo(const ChannelSpec &spec)
{
    cancelWatch();
    bool inCallCredentials = false;
    auto channel = detail::createChannel(spec, &inCallCredentials);
    {
        std::lock_guard lock(m_mutex);
        CallTracker::retire(std::move(m_channel));
        m_channel = std::move(channel);
        m_token = inCallCredentials ? std::string() : spec.token.toStdString();
        m_metadata.clear();
        for (const auto &[key, value] : spec.metadata)
            m_metadata.emplace_back(key.toLower().toStdString(), value.toStdString());
    }
    m_spec = spec;
    m_tokenInCallCredentials = inCallCredentials;
    ++m_generation;
    m_healthInFlight = false;
    m_pollOnly = false;
    m_rttMs = -1;
    m_backoff.reset();
    m_retryTimer.stop();
    delete m_probe;
    m_probe = nullptr;
    m_probedFailure.clear();
    m_probeFinding.clear();
    setState(State::Connecting, tr("connecting to %1").arg(spec.target));
    emit channelChanged();
    startWatch();
    m_healthTimer.start();
}

void Connection::disconnectFrom()
{
    m_healthTimer.stop();
    m_retryTimer.stop();
    cancelWatch();
    {
        std::lock_guard lock(m_mutex);
        CallTracker::retire(std::move(m_channel));
        m_channel.reset();
    }
    ++m_generation;
    setState(State::Idle, tr("disconnected"));
}

void Connection::retryNow()
{
    if (!channel() || m_watchOpen)
        return;
    m_retryTimer.stop();
    startWatch();
}

qint64 Connection::retryInMs() const
{
    if (!m_retryTimer.isActive())
        return -1;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        m_retryAt - std::chrono::steady_clock::now());
    return std::max<qint64>(0, left.count());
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
    for (const auto &[key, value] : m_metadata)
        ctx.AddMetadata(key, value);
}

void Connection::setState(State s, const QString &detail)
{
    const bool changed = s != m_state || detail != m_lastError;
    m_state = s;
    m_lastError = detail;
    if (changed)
        emit stateChanged(s, detail);
}

void Connection::cancelWatch()
{
    m_watch->cancel();
    m_watchOpen = false;
}

void Connection::startWatch()
{
    CallTracker::releaseRetired(); // old channels, once nothing uses them
    auto ch = channel();
    if (!ch || m_watchOpen)
        return;
    if (m_pollOnly) {
        checkHealth();
        return;
    }
    // Our schedule, not the transport's, decides when to try: connect now.
    grpc::experimental::ChannelResetConnectionBackoff(ch.get());
    if (m_state != State::Ready)
        setState(State::Connecting,
                 m_backoff.attempts() > 0
                     ? tr("trying again (attempt %1)").arg(m_backoff.attempts() + 1)
                     : tr("connecting to %1").arg(m_spec.target));
    m_watchOpen = true;
    const quint64 gen = m_generation;
    // A fresh call slot per watch, so cancelling an old one never hits the new.
    m_watch = std::make_shared<detail::ActiveCall>();
    auto *reactor = new HealthWatch(
        ch, m_watch,
        [this, gen, guard = m_guard](const RpcError &err) {
            guard->post([this, gen, err] { onWatchEnded(gen, err.code, err.message); });
        },
        [this, gen, guard = m_guard](int status) {
            guard->post([this, gen, status] { onServingStatus(gen, status); });
        });
    prepare(reactor->context(), kStreamDeadline);
    reactor->begin();
}

void Connection::onServingStatus(quint64 generation, int status)
{
    if (generation != m_generation)
        return;
    m_backoff.reset();
    m_retryTimer.stop();
    if (status == HealthCheckResponse::SERVING) {
        setState(State::Ready, QString());
        if (m_rttMs < 0)
            checkHealth();
    } else {
        setState(State::NotServing, tr("the service says it is not serving (grpc.health.v1); "
                                       "check its own logs"));
    }
}

void Connection::onWatchEnded(quint64 generation, RpcCode code, const QString &message)
{
    if (generation != m_generation)
        return; // a watch on a previous channel, or one we cancelled
    m_watchOpen = false;
    if (code == RpcCode::Cancelled && !channel())
        return;
    if (code == RpcCode::DeadlineExceeded && m_state == State::Ready) {
        startWatch(); // our own long deadline ran out: watch on
        return;
    }
    if (code == RpcCode::Unimplemented) {
        // Check without Watch: poll it instead.
        m_pollOnly = true;
        checkHealth();
        return;
    }
    // gRPC tells us little about a failed handshake; a TLS probe of our own
    // names the certificate problem (or, for plaintext, finds a TLS service).
    // What it found stays shown while the same failure repeats.
    const bool probe = (m_spec.tls && looksLikeTlsFailure(message)) ||
                       (!m_spec.tls && looksLikeClosedByPeer(message));
    const bool known = probe && message == m_probedFailure && !m_probeFinding.isEmpty();
    setState(State::Unavailable,
             known ? m_probeFinding : describeConnectFailure(code, message, m_spec));
    scheduleRetry();
    if (!probe || known)
        return;
    if (!m_probe) {
        m_probe = new TlsProbe(this);
        connect(m_probe, &TlsProbe::finished, this,
                [this, gen = m_generation](const QString &sentence) {
                    if (gen != m_generation || sentence.isEmpty())
                        return;
                    m_probedFailure = m_probing;
                    m_probeFinding = sentence;
                    if (m_state == State::Unavailable)
                        setState(State::Unavailable, sentence);
                });
    }
    m_probing = message;
    m_probe->probe(m_spec);
}

void Connection::scheduleRetry()
{
    const auto delay = m_backoff.next();
    m_retryAt = std::chrono::steady_clock::now() + delay;
    m_retryTimer.start(delay);
    emit retryScheduled(delay.count());
}

void Connection::checkHealth()
{
    // Measures the round trip while the watch says Ready; decides the state
    // only for a service without Watch.
    CallTracker::releaseRetired();
    auto ch = channel();
    if (!ch || m_healthInFlight || (!m_pollOnly && m_state != State::Ready))
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
                if (code == RpcCode::Ok) {
                    m_rttMs = rtt;
                    emit rttMeasured(rtt);
                }
                if (!m_pollOnly)
                    return;
                if (code != RpcCode::Ok)
                    setState(State::Unavailable, describeConnectFailure(code, msg, m_spec));
                else if (serving == HealthCheckResponse::SERVING)
                    setState(State::Ready, QString());
                else
                    setState(State::NotServing, tr("the service says it is not serving"));
            });
            CallTracker::closing(&call->ctx);
            call.reset(); // context and stub go before the tracker hears of it
            CallTracker::closed();
        });
}

} // namespace sb
