#include "ui/connections/connection_tester.h"

#include "client/connection.h"
#include "client/routing_client.h"
#include "ui/connections/profile_resolver.h"

namespace sb {

ConnectionTester::ConnectionTester(QObject *parent)
    : QObject(parent), m_resolver(new ProfileResolver(this))
{
    m_timeout.setSingleShot(true);
    m_timeout.setInterval(kTimeoutMs);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        const QString seen = m_connection ? m_connection->lastError() : QString();
        finish(false,
               seen.isEmpty()
                   ? tr("No answer from %1 within %2 s.").arg(m_endpoint).arg(kTimeoutMs / 1000)
                   : seen);
    });
    m_grace.setSingleShot(true);
    m_grace.setInterval(kProbeGraceMs);
    connect(&m_grace, &QTimer::timeout, this, [this] {
        if (m_connection && !m_connection->isReady())
            finish(false, m_connection->lastError());
    });
    connect(m_resolver, &ProfileResolver::resolved, this, &ConnectionTester::haveSpec);
    connect(m_resolver, &ProfileResolver::failed, this, [this](const QString &why) {
        if (m_resolving)
            finish(false, why);
    });
}

ConnectionTester::~ConnectionTester()
{
    cleanUp();
}

void ConnectionTester::test(const ConnectionProfile &profile, const QString &typedToken)
{
    cleanUp();
    m_endpoint = profile.endpoint;
    m_typedToken = typedToken;
    m_resolving = true;
    m_timeout.start();
    emit progress(tr("Testing %1…").arg(profile.endpoint));
    ConnectionProfile p = profile;
    if (!typedToken.isEmpty())
        p.tokenSource = ConnectionProfile::TokenSource::None; // the typed one is used below
    m_resolver->resolve(p);
}

void ConnectionTester::haveSpec(const ChannelSpec &resolved)
{
    if (!m_resolving)
        return;
    m_resolving = false;
    ChannelSpec spec = resolved;
    if (!m_typedToken.isEmpty())
        spec.token = m_typedToken;
    m_connection = new Connection(this);
    connect(m_connection, &Connection::stateChanged, this,
            [this](Connection::State state, const QString &) {
                if (!m_connection)
                    return;
                if (state == Connection::State::Ready && !m_checkingToken) {
                    m_grace.stop();
                    m_checkingToken = true;
                    emit progress(tr("Reached %1; checking the token…").arg(m_endpoint));
                    m_client = new RoutingClient(m_connection, this);
                    connect(m_client, &RoutingClient::tableReceived, this,
                            [this](const RoutingTable &table) {
                                const double rtt = m_connection->lastRttMs();
                                finish(true,
                                       tr("Connected: %1%2 · %n route(s) readable.", "",
                                          int(table.routes.size()))
                                           .arg(m_connection->security(),
                                                rtt >= 0
                                                    ? tr(" · round trip %1 ms").arg(rtt, 0, 'f', 1)
                                                    : QString()));
                            });
                    connect(m_client, &RoutingClient::failed, this,
                            [this](const QString &, const RpcError &e) {
                                if (e.code == RpcCode::Unauthenticated)
                                    finish(false, tr("Reached %1, but it refused the token "
                                                     "(UNAUTHENTICATED: %2). Check the token or "
                                                     "the variable it comes from.")
                                                      .arg(m_endpoint, e.message));
                                else if (e.code == RpcCode::PermissionDenied)
                                    finish(true, tr("Connected: %1 · the token is valid but may "
                                                    "not read routing (%2).")
                                                     .arg(m_connection->security(), e.message));
                                else
                                    finish(false, tr("Reached %1, but reading routing failed: "
                                                     "%2")
                                                      .arg(m_endpoint, e.message));
                            });
                    m_client->fetchTable();
                } else if ((state == Connection::State::Unavailable ||
                            state == Connection::State::NotServing) &&
                           !m_grace.isActive() && !m_checkingToken) {
                    m_grace.start();
                }
            });
    m_connection->connectTo(spec);
}

void ConnectionTester::finish(bool ok, const QString &sentence)
{
    if (!busy())
        return;
    cleanUp();
    emit finished(ok, sentence);
}

void ConnectionTester::cleanUp()
{
    m_timeout.stop();
    m_grace.stop();
    m_resolving = false;
    m_checkingToken = false;
    if (m_client) {
        m_client->disconnect(this);
        m_client->deleteLater();
        m_client = nullptr;
    }
    if (m_connection) {
        m_connection->disconnect(this);
        m_connection->disconnectFrom();
        m_connection->deleteLater();
        m_connection = nullptr;
    }
}

} // namespace sb
