#pragma once

// Session: one endpoint's lifecycle and nothing else. It owns the connection,
// knows which endpoint the cache rows belong to and what kind of environment
// it is (a production connection is unmistakable on every page), loads the
// cached snapshot when it connects and hands it to the controllers, and keeps
// what the service said about our token and role. The capability controllers
// (ui/<capability>/*_controller.h) own their calls, models, freshness and
// cache writes.

#include "client/connection.h"
#include "client/environment.h"
#include "client/rpc_error.h"

#include <QObject>
#include <QString>

namespace sb {

class Cache;
struct CacheSnapshot;

// What a session is connected to, besides the channel: the profile's name
// (every page shows it), the key its cache rows are kept under, what kind of
// environment it is and where its token comes from (for advice when the
// service refuses it).
struct SessionTarget
{
    QString profileName;
    QString endpointKey;
    Environment environment = Environment::Dev;
    QString tokenHint = QStringLiteral("set SWITCHBOARD_TOKEN");
    // With nothing cached for this endpoint, show the one seen last (marked
    // as such). Off when several services are open, so none borrows another's.
    bool borrowCache = true;
};

// When a capability's data was fetched and whether it came from the live
// service in this session.
struct Freshness
{
    qint64 fetchedMs = 0;
    bool live = false;
};

class Session : public QObject
{
    Q_OBJECT
public:
    // cache may be null (no cache).
    explicit Session(Cache *cache, QObject *parent = nullptr);
    ~Session() override;

    void connectTo(const QString &target, const QString &endpointKey, const QString &token = {},
                   Environment environment = Environment::Dev);
    void connectTo(const ChannelSpec &channel, const SessionTarget &target);
    // The profile could not be turned into a channel (a missing file, no
    // token in the keychain): show its cache, offline, with why.
    void failToConnect(const QString &endpoint, const SessionTarget &target, const QString &why);

    Connection *connection() { return m_connection; }
    const Connection *connection() const { return m_connection; }
    Cache *cache() const { return m_cache; }
    bool isReady() const { return m_connection->isReady(); }
    QString endpointKey() const { return m_endpointKey; }
    QString endpointLabel() const { return m_target; }
    QString profileName() const { return m_info.profileName; }
    Environment environment() const { return m_info.environment; }
    bool isProduction() const { return m_info.environment == Environment::Prod; }
    // Why the session could not even start connecting ("" normally).
    QString setupProblem() const { return m_setupProblem; }
    // The connection's failure, or the setup problem: one sentence for the bar.
    QString problem() const;

    // Non-empty when the cached data shown belongs to another endpoint
    // (nothing was cached for this one yet).
    QString cachedFrom() const { return m_cachedFrom; }
    void clearCachedFrom();
    // Set when the service refused our token or role; shown next to the state.
    QString authProblem() const { return m_authProblem; }
    // Unauthenticated or PermissionDenied while authProblem() is set, else Ok.
    RpcCode authProblemCode() const { return m_authProblem.isEmpty() ? RpcCode::Ok : m_authCode; }
    // Why what is shown is not live, in words for the stale banner.
    QString staleReason() const;
    // Why a write cannot be made now ("" when it can): offline, a refused
    // token, or a role too low. dataFetchedMs is the age of what is shown.
    QString writeBlockedReason(qint64 dataFetchedMs = 0) const;

    // Controllers report failed calls here: the status bar says what failed
    // and auth problems show next to the connection state.
    void reportFailure(const QString &operation, const RpcError &error);
    // A write was refused for the role: later writes show disabled.
    void noteRoleTooLow(const QString &serviceMessage);
    // A read succeeded with our token: clears a stale "token rejected".
    void noteAuthorised();

signals:
    // connectTo() was called: controllers forget the previous endpoint's state.
    void endpointChanged();
    // The cached state for this endpoint (or, offline, the last one seen).
    void snapshotLoaded(const sb::CacheSnapshot &snapshot);
    void connected();
    void disconnected();
    void freshnessChanged();
    void message(const QString &text); // for the status bar

private:
    void onConnectionState(Connection::State state, const QString &detail);
    void begin(const QString &endpoint, const SessionTarget &target);

    Cache *m_cache;
    Connection *m_connection;
    QString m_target;
    QString m_endpointKey;
    SessionTarget m_info;
    QString m_setupProblem;
    int m_snapshotsPending = 0;
    QString m_cachedFrom;
    QString m_authProblem;
    RpcCode m_authCode = RpcCode::Ok;
    QString m_roleProblem;
    bool m_wasReady = false;
};

} // namespace sb
