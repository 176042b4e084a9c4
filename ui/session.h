#pragma once

// Session: one endpoint's lifecycle and nothing else. It owns the connection,
// knows which endpoint the cache rows belong to and what kind of environment
// it is (a production connection is unmistakable on every page), loads the
// cached snapshot when it connects and hands it to the controllers, and keeps
// what the service said about our token and role. The capability controllers
// (ui/<capability>/*_controller.h) own their calls, models, freshness and
// cache writes.

#include "client/connection.h"
#include "client/rpc_error.h"

#include <QObject>
#include <QString>

namespace sb {

class Cache;
struct CacheSnapshot;

enum class Environment
{
    Dev,
    Staging,
    Prod
};
QString toString(Environment e);
// "dev", "staging", "prod" (also "production"); false for anything else.
bool parseEnvironment(const QString &text, Environment *out);

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

    Connection *connection() { return m_connection; }
    const Connection *connection() const { return m_connection; }
    Cache *cache() const { return m_cache; }
    bool isReady() const { return m_connection->isReady(); }
    QString endpointKey() const { return m_endpointKey; }
    QString endpointLabel() const { return m_target; }
    Environment environment() const { return m_environment; }
    bool isProduction() const { return m_environment == Environment::Prod; }

    // Non-empty when the cached data shown belongs to another endpoint
    // (nothing was cached for this one yet).
    QString cachedFrom() const { return m_cachedFrom; }
    void clearCachedFrom();
    // Set when the service refused our token or role; shown next to the state.
    QString authProblem() const { return m_authProblem; }
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

    Cache *m_cache;
    Connection *m_connection;
    QString m_target;
    QString m_endpointKey;
    QString m_cachedFrom;
    QString m_authProblem;
    QString m_roleProblem;
    Environment m_environment = Environment::Dev;
    bool m_wasReady = false;
};

} // namespace sb
