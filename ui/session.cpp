#include "ui/session.h"

#include "core/clock.h"
#include "store/cache.h"
#include "ui/common/format.h"
#include "ui/common/privacy.h"

#include <QDateTime>

namespace sb {

Session::Session(Cache *cache, QObject *parent)
    : QObject(parent), m_cache(cache), m_connection(new Connection(this))
{
    connect(m_connection, &Connection::stateChanged, this, &Session::onConnectionState);
    if (m_cache) {
        connect(m_cache, &Cache::snapshotLoaded, this, [this](const CacheSnapshot &s) {
            // The cache is shared by every open session: take only the answer
            // to our own request, and another endpoint's rows only when borrowing.
            if (m_snapshotsPending == 0 || (s.endpoint != m_endpointKey && !m_info.borrowCache))
                return;
            --m_snapshotsPending;
            // Nothing cached for this endpoint: the cache offered the last one seen.
            m_cachedFrom = s.endpoint != m_endpointKey ? s.endpoint : QString();
            emit snapshotLoaded(s);
            emit freshnessChanged();
        });
        connect(m_cache, &Cache::opened, this, [this](bool ok, const QString &error) {
            emit message(ok ? tr("Cache ready") : tr("Cache unavailable: %1").arg(error));
        });
        connect(m_cache, &Cache::writeFailed, this, [this](const QString &why) {
            emit message(tr("Cache write failed: %1 (live data is unaffected)").arg(why));
        });
    }
}

Session::~Session() = default;

void Session::connectTo(const QString &target, const QString &endpointKey, const QString &token,
                        Environment environment)
{
    ChannelSpec channel;
    channel.target = target;
    channel.token = token;
    SessionTarget info;
    info.profileName = endpointKey;
    info.endpointKey = endpointKey;
    info.environment = environment;
    connectTo(channel, info);
}

void Session::begin(const QString &endpoint, const SessionTarget &target)
{
    // Presenter mode masks this endpoint and its host wherever they show.
    privacy::addEndpoint(endpoint);
    m_target = endpoint;
    m_endpointKey = target.endpointKey;
    m_info = target;
    m_cachedFrom.clear();
    m_authProblem.clear();
    m_roleProblem.clear();
    m_setupProblem.clear();
    m_wasReady = false;
}

void Session::connectTo(const ChannelSpec &channel, const SessionTarget &target)
{
    begin(channel.target, target);
    privacy::addSecret(channel.token);
    m_connection->connectTo(channel);
    // Controllers forget the previous endpoint and (re)start their streams on
    // the new channel; the cached snapshot follows asynchronously.
    emit endpointChanged();
    if (m_cache) {
        ++m_snapshotsPending;
        if (target.borrowCache)
            m_cache->loadSnapshotOrMostRecent(target.endpointKey);
        else
            m_cache->loadSnapshot(target.endpointKey);
    }
    emit freshnessChanged();
}

void Session::failToConnect(const QString &endpoint, const SessionTarget &target,
                            const QString &why)
{
    m_connection->disconnectFrom();
    begin(endpoint, target);
    m_setupProblem = why;
    emit endpointChanged();
    if (m_cache) {
        ++m_snapshotsPending;
        m_cache->loadSnapshot(target.endpointKey);
    }
    emit message(tr("Cannot connect to %1: %2").arg(target.profileName, why));
    emit freshnessChanged();
}

QString Session::problem() const
{
    if (!m_setupProblem.isEmpty())
        return m_setupProblem;
    return m_connection->isReady() ? QString() : m_connection->lastError();
}

void Session::clearCachedFrom()
{
    if (m_cachedFrom.isEmpty())
        return;
    m_cachedFrom.clear();
    emit freshnessChanged();
}

QString Session::staleReason() const
{
    if (!m_connection->isReady()) {
        // The bar's sentence, folded into the banner's own ("Not live: …. ").
        QString detail = problem();
        while (detail.endsWith(QLatin1Char('.')))
            detail.chop(1);
        if (detail.size() > 1 && detail.at(0).isUpper() && detail.at(1).isLower())
            detail[0] = detail.at(0).toLower();
        return detail.isEmpty() ? tr("the service is not reachable") : detail;
    }
    if (!m_authProblem.isEmpty())
        return m_authProblem;
    return tr("waiting for the service's first answer");
}

QString Session::writeBlockedReason(qint64 dataFetchedMs) const
{
    if (!m_connection->isReady()) {
        if (dataFetchedMs > 0)
            return tr("not connected: showing data cached %1")
                .arg(formatAge(clock::nowMs() - dataFetchedMs));
        return tr("not connected");
    }
    if (!m_authProblem.isEmpty() && m_roleProblem.isEmpty())
        return m_authProblem;
    if (!m_roleProblem.isEmpty())
        return m_roleProblem;
    return {};
}

void Session::reportFailure(const QString &operation, const RpcError &err)
{
    emit message(tr("%1 failed: %2").arg(operation, err.describe()));
    // The health check needs no token, so "connected" alone would hide a
    // rejected one: say so where the connection state is shown.
    QString problem;
    if (err.code == RpcCode::Unauthenticated)
        problem = tr("token rejected: the service refused it (%1); %2")
                      .arg(err.message, m_info.tokenHint);
    else if (err.code == RpcCode::PermissionDenied)
        problem = tr("permission denied for %1 (%2)").arg(operation, err.message);
    if (!problem.isEmpty() && problem != m_authProblem) {
        m_authProblem = problem;
        m_authCode = err.code;
        emit freshnessChanged();
    }
}

void Session::noteRoleTooLow(const QString &serviceMessage)
{
    // The service names the role needed ("operator role required"); say it
    // the way the disabled action's tooltip reads.
    QString needed = QStringLiteral("operator");
    if (serviceMessage.contains(QLatin1String("admin"), Qt::CaseInsensitive))
        needed = QStringLiteral("admin");
    const QString problem = tr("viewer role: %1 needed").arg(needed);
    if (problem == m_roleProblem)
        return;
    m_roleProblem = problem;
    emit freshnessChanged();
}

void Session::noteAuthorised()
{
    if (m_authProblem.isEmpty() || m_authProblem.startsWith(tr("permission denied")))
        return;
    m_authProblem.clear();
    emit freshnessChanged();
}

void Session::onConnectionState(Connection::State state, const QString &detail)
{
    const bool ready = state == Connection::State::Ready;
    if (ready && !m_wasReady) {
        emit message(tr("Connected to %1").arg(m_target));
        m_wasReady = true;
        emit connected();
    } else if (!ready && m_wasReady) {
        emit message(tr("Lost %1: %2. Showing cached data.").arg(m_target, detail));
        m_wasReady = false;
        emit disconnected();
    }
    emit freshnessChanged();
}

} // namespace sb
