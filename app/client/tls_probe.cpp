#include "client/tls_probe.h"

#include "client/connection_errors.h"

#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>

namespace sb {

TlsProbe::TlsProbe(QObject *parent) : QObject(parent)
{
    m_timeout.setSingleShot(true);
    m_timeout.setInterval(5000);
    connect(&m_timeout, &QTimer::timeout, this, [this] { finish(m_found); });
}

TlsProbe::~TlsProbe()
{
    delete m_socket;
}

void TlsProbe::probe(const ChannelSpec &spec)
{
    delete m_socket;
    m_spec = spec;
    m_found.clear();
    m_encrypted = false;
    const int colon = spec.target.lastIndexOf(QLatin1Char(':'));
    bool ok = false;
    const quint16 port = colon > 0 ? spec.target.mid(colon + 1).toUShort(&ok) : 0;
    if (!ok) {
        QTimer::singleShot(0, this, [this] { emit finished({}); });
        return;
    }
    QString host = spec.target.left(colon);
    if (host.startsWith(QLatin1Char('[')))
        host = host.mid(1, host.size() - 2);

    auto *socket = new QSslSocket(this);
    m_socket = socket;
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    if (spec.tls) {
        if (!spec.caPem.isEmpty())
            conf.setCaCertificates(QSslCertificate::fromData(spec.caPem, QSsl::Pem));
        if (spec.mutualTls()) {
            conf.setLocalCertificateChain(QSslCertificate::fromData(spec.clientCertPem, QSsl::Pem));
            QSslKey key(spec.clientKeyPem, QSsl::Rsa, QSsl::Pem);
            if (key.isNull())
                key = QSslKey(spec.clientKeyPem, QSsl::Ec, QSsl::Pem);
            conf.setPrivateKey(key);
        }
        conf.setPeerVerifyMode(QSslSocket::VerifyPeer);
    } else {
        // Only: does it speak TLS at all?
        conf.setPeerVerifyMode(QSslSocket::VerifyNone);
    }
    conf.setAllowedNextProtocols({QByteArrayLiteral("h2")});
    socket->setSslConfiguration(conf);

    connect(socket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        if (!m_spec.tls || errors.isEmpty())
            return;
        // The most telling error first: dates and names before the chain.
        const QSslError *best = &errors.first();
        for (const auto &e : errors) {
            if (e.error() == QSslError::CertificateExpired ||
                e.error() == QSslError::CertificateNotYetValid)
                best = &e;
        }
        if (best->error() != QSslError::CertificateExpired &&
            best->error() != QSslError::CertificateNotYetValid) {
            for (const auto &e : errors) {
                if (e.error() == QSslError::HostNameMismatch && errors.size() == 1)
                    best = &e;
            }
        }
        finish(describeCertificateError(*best, m_spec.target));
    });
    connect(socket, &QSslSocket::encrypted, this, [this] {
        if (!m_spec.tls) {
            finish(describeSpeaksTls(m_spec.target));
            return;
        }
        m_encrypted = true;
        // TLS 1.3 servers refuse a missing client certificate after our side
        // has finished: wait briefly for that alert.
        QTimer::singleShot(1500, this, [this] { finish(m_found); });
    });
    connect(socket, &QAbstractSocket::errorOccurred, this,
            [this, socket](QAbstractSocket::SocketError error) {
                if (!m_spec.tls) {
                    finish({});
                    return;
                }
                if (error == QAbstractSocket::SslHandshakeFailedError ||
                    error == QAbstractSocket::RemoteHostClosedError ||
                    error == QAbstractSocket::SslInternalError) {
                    const QString s = describeHandshakeFailure(socket->errorString(), m_spec);
                    if (!s.isEmpty()) {
                        finish(s);
                        return;
                    }
                }
                if (error != QAbstractSocket::RemoteHostClosedError)
                    finish({});
            });
    connect(socket, &QAbstractSocket::disconnected, this, [this] {
        // Closed right after a handshake that went well on our side: the
        // service refused our (missing) client certificate.
        if (m_encrypted && m_spec.tls)
            finish(describeConnectFailure(RpcCode::Unavailable,
                                          QStringLiteral("certificate required"), m_spec));
    });
    m_timeout.start();
    socket->connectToHostEncrypted(host, port);
}

void TlsProbe::finish(const QString &sentence)
{
    if (!m_timeout.isActive() && !m_socket)
        return;
    m_timeout.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    emit finished(sentence);
}

} // namespace sb
