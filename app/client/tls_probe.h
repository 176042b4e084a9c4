#pragma once

// TlsProbe: when gRPC reports only "handshake failed", opens a TLS connection
// of its own (QSslSocket, event driven, never blocking) to the same target
// with the profile's CA and client certificate and names the problem: an
// expired certificate, an unknown CA, a hostname mismatch, a missing or
// refused client certificate, a service that does not speak TLS. For a
// plaintext profile whose connection the peer closed at once, it checks
// whether the service speaks TLS instead. finished() carries one sentence, or
// "" when the probe could not tell (then gRPC's own words stand).
//
// Known gaps: the probe is a second TLS client (Qt's OpenSSL backend) next to
// gRPC's own, so in odd setups (a proxy, ALPN-only differences) the two could
// disagree; it runs once per distinct gRPC failure, not on every retry.

#include "client/channel_spec.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

class QSslSocket;

namespace sb {

class TlsProbe : public QObject
{
    Q_OBJECT
public:
    explicit TlsProbe(QObject *parent = nullptr);
    ~TlsProbe() override;

    // Replaces a probe still running.
    void probe(const ChannelSpec &spec);

signals:
    void finished(const QString &sentence);

private:
    void finish(const QString &sentence);

    ChannelSpec m_spec;
    QPointer<QSslSocket> m_socket;
    QTimer m_timeout;
    QString m_found;
    bool m_encrypted = false;
};

} // namespace sb
