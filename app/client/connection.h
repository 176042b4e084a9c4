#pragma once

// Connection: one service endpoint. Owns the gRPC channel (plaintext, TLS or
// mTLS, see ChannelSpec) and the bearer token (in memory only: never logged,
// never persisted). It follows the service's grpc.health.v1 Watch stream to
// report its state; when the service cannot be reached it says why in a
// sentence (connection_errors.h) and tries again on gRPC's connection backoff
// schedule (1 s, ×1.6, ±20 % jitter, capped at 120 s), which retryNow()
// cuts short. A Check every few seconds measures the round trip. Everything
// here returns at once; results arrive as queued signals on the Connection's
// thread.

#include "client/channel_spec.h"
#include "core/backoff.h"
#include "core/rpc_code.h"

#include <QObject>
#include <QString>
#include <QTimer>
#include <chrono>
#include <memory>
#include <mutex>

namespace grpc {
class Channel;
class ClientContext;
} // namespace grpc

namespace sb {

class PostGuard;
class TlsProbe;
namespace detail {
struct ActiveCall;
}

class Connection : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Idle,
        Connecting,
        Ready,
        NotServing,
        Unavailable
    };
    Q_ENUM(State)

    static constexpr std::chrono::milliseconds kUnaryDeadline{5000};
    static constexpr std::chrono::milliseconds kHealthDeadline{1500};
    // Long-lived streams get a deadline too and simply resume when it expires.
    static constexpr std::chrono::milliseconds kStreamDeadline{30 * 60 * 1000};
    // gRPC's connection backoff (doc/connection-backoff.md).
    static constexpr std::chrono::milliseconds kRetryInitial{1000};
    static constexpr std::chrono::milliseconds kRetryMax{120000};
    static constexpr double kRetryMultiplier = 1.6;
    static constexpr double kRetryJitter = 0.2;

    explicit Connection(QObject *parent = nullptr);
    ~Connection() override;

    // Starts (or restarts) talking to spec.target.
    void connectTo(const ChannelSpec &spec);
    // Plaintext to target ("host:port"); the token, if any, is sent as
    // `authorization: Bearer <token>` on every call.
    void connectTo(const QString &target, const QString &token = {});
    void disconnectFrom();
    // Tries at once instead of waiting for the next scheduled attempt.
    void retryNow();

    QString target() const { return m_spec.target; }
    // How the channel is secured, e.g. "TLS (custom CA), client certificate".
    QString security() const { return m_spec.describe(); }
    bool usesTls() const { return m_spec.tls; }
    State state() const { return m_state; }
    bool isReady() const { return m_state == State::Ready; }
    double lastRttMs() const { return m_rttMs; }
    // The latest failure as a sentence saying what happened and what to check.
    QString lastError() const { return m_lastError; }
    // Milliseconds until the next attempt to reach the service; -1 when none
    // is scheduled (connected, trying now, or disconnected).
    qint64 retryInMs() const;
    int failedAttempts() const { return m_backoff.attempts(); }
    static QString stateName(State s);
    // A gRPC failure in words a user can act on (see connection_errors.h).
    static QString humanReason(RpcCode code, const QString &grpcMessage);

    // For the typed clients (client layer internals).
    std::shared_ptr<grpc::Channel> channel() const;
    void prepare(grpc::ClientContext &ctx, std::chrono::milliseconds deadline) const;

signals:
    void stateChanged(sb::Connection::State state, const QString &detail);
    void rttMeasured(double ms);
    // The channel was replaced (connectTo a new target): clients restart streams.
    void channelChanged();
    // A new attempt was scheduled in `ms` milliseconds.
    void retryScheduled(qint64 ms);

private:
    void startWatch();
    void cancelWatch();
    void onServingStatus(quint64 generation, int status);
    void onWatchEnded(quint64 generation, RpcCode code, const QString &message);
    void scheduleRetry();
    void checkHealth();
    void setState(State s, const QString &detail);

    ChannelSpec m_spec;
    bool m_tokenInCallCredentials = false;
    std::shared_ptr<grpc::Channel> m_channel;
    mutable std::mutex m_mutex; // guards m_channel and the metadata for calls started off-thread
    std::string m_token;
    std::vector<std::pair<std::string, std::string>> m_metadata;
    std::shared_ptr<PostGuard> m_guard;
    std::shared_ptr<detail::ActiveCall> m_watch;
    TlsProbe *m_probe = nullptr;
    QString m_probing;       // gRPC's words the running probe looks into
    QString m_probedFailure; // gRPC's words the probe explained…
    QString m_probeFinding;  // …and what it found
    QTimer m_healthTimer;
    QTimer m_retryTimer;
    Backoff m_backoff{kRetryInitial, kRetryMax, kRetryMultiplier, kRetryJitter};
    std::chrono::steady_clock::time_point m_retryAt;
    bool m_healthInFlight = false;
    bool m_watchOpen = false;
    bool m_pollOnly = false; // the service has Check but no Watch
    quint64 m_generation = 0;
    State m_state = State::Idle;
    double m_rttMs = -1;
    QString m_lastError;
};

} // namespace sb
