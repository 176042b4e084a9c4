#pragma once

// ConnectionTester: the profile manager's "Test" button. Resolves the profile
// as a window would (files off the GUI thread, the token from the keychain or
// its variable, or one just typed and not saved yet), connects a throwaway
// Connection, and once the service answers grpc.health.v1 makes one call that
// needs the token (the routing table), so a wrong token is caught too. Ends
// with one sentence: what worked (security, round trip, routes seen) or what
// is wrong (the connection's own words, refined by the TLS probe; "refused
// the token"; no answer in time). Nothing is kept: the Connection goes away.

#include "ui/connections/profile.h"

#include <QObject>
#include <QTimer>

namespace sb {

class Connection;
class ProfileResolver;
class RoutingClient;
struct ChannelSpec;

class ConnectionTester : public QObject
{
    Q_OBJECT
public:
    static constexpr int kTimeoutMs = 12000;
    // After the first failure, the TLS probe may still refine the sentence.
    static constexpr int kProbeGraceMs = 3000;

    explicit ConnectionTester(QObject *parent = nullptr);
    ~ConnectionTester() override;

    // typedToken: a token typed in the form and not saved yet; it wins.
    void test(const ConnectionProfile &profile, const QString &typedToken);
    bool busy() const { return m_connection != nullptr || m_resolving; }

signals:
    void progress(const QString &what);
    void finished(bool ok, const QString &sentence);

private:
    void haveSpec(const ChannelSpec &spec);
    void finish(bool ok, const QString &sentence);
    void cleanUp();

    ProfileResolver *m_resolver;
    Connection *m_connection = nullptr;
    RoutingClient *m_client = nullptr;
    QTimer m_timeout;
    QTimer m_grace;
    QString m_endpoint;
    QString m_typedToken;
    bool m_resolving = false;
    bool m_checkingToken = false;
};

} // namespace sb
