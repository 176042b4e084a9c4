#pragma once

// Connection: one service endpoint. Owns the gRPC channel and the bearer token
// (in memory only: never logged, never persisted), polls grpc.health.v1 every
// two seconds to report state and round-trip time, and hands typed clients
// what they need to start calls. Everything here returns at once; results
// arrive as queued signals on the Connection's thread.

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

    explicit Connection(QObject *parent = nullptr);
    ~Connection() override;

    // Starts (or restarts) talking to target ("host:port"). The token, if any,
    // is sent as `authorization: Bearer <token>` on every call.
    void connectTo(const QString &target, const QString &token = {});
    void disconnectFrom();

    QString target() const { return m_target; }
    State state() const { return m_state; }
    bool isReady() const { return m_state == State::Ready; }
    double lastRttMs() const { return m_rttMs; }
    QString lastError() const { return m_lastError; }
    static QString stateName(State s);
    // A gRPC failure in words a user can act on.
    static QString humanReason(RpcCode code, const QString &grpcMessage);

    // For the typed clients (client layer internals).
    std::shared_ptr<grpc::Channel> channel() const;
    void prepare(grpc::ClientContext &ctx, std::chrono::milliseconds deadline) const;

signals:
    void stateChanged(sb::Connection::State state, const QString &detail);
    void rttMeasured(double ms);
    // The channel was replaced (connectTo a new target): clients restart streams.
    void channelChanged();

private:
    void checkHealth();
    void setState(State s, const QString &detail);

    QString m_target;
    std::string m_token;
    std::shared_ptr<grpc::Channel> m_channel;
    mutable std::mutex m_mutex; // guards m_channel and m_token for calls started off-thread
    std::shared_ptr<PostGuard> m_guard;
    QTimer m_healthTimer;
    bool m_healthInFlight = false;
    quint64 m_generation = 0;
    State m_state = State::Idle;
    double m_rttMs = -1;
    QString m_lastError;
};

} // namespace sb
