#include "client/connection_errors.h"

#include "client/connection.h"

#include <QCoreApplication>
#include <QSslCertificate>
#include <QSslError>

namespace sb {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ConnectionErrors", text);
}

bool has(const QString &text, const char *needle)
{
    return text.contains(QLatin1String(needle), Qt::CaseInsensitive);
}

QString hostOf(const QString &target)
{
    const int colon = target.lastIndexOf(QLatin1Char(':'));
    QString host = colon > 0 ? target.left(colon) : target;
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    return host;
}

QString subjectOf(const QSslCertificate &c)
{
    const QStringList cn = c.subjectInfo(QSslCertificate::CommonName);
    return cn.isEmpty() ? c.subjectDisplayName() : cn.join(QStringLiteral(", "));
}

} // namespace

bool looksLikeTlsFailure(const QString &m)
{
    return has(m, "ssl") || has(m, "tls") || has(m, "handshake") || has(m, "certificate") ||
           has(m, "Peer name") || looksLikeClosedByPeer(m);
}

bool looksLikeClosedByPeer(const QString &m)
{
    return has(m, "Socket closed") || has(m, "Connection reset") || has(m, "End of TCP stream") ||
           has(m, "connection closed") || has(m, "Broken pipe");
}

QString describeConnectFailure(RpcCode code, const QString &m, const ChannelSpec &spec)
{
    const QString where = spec.target.isEmpty() ? tr("the service") : spec.target;
    if (has(m, "Connection refused"))
        return tr("Nothing is listening at %1 (connection refused). Check the address and port, "
                  "and that the service is running.")
            .arg(where);
    if (has(m, "DNS") || has(m, "resolution") || has(m, "resolve"))
        return tr("Cannot find the host \"%1\" (DNS). Check the endpoint's spelling, your "
                  "network and VPN.")
            .arg(hostOf(spec.target));
    if (has(m, "No route to host") || has(m, "Network is unreachable"))
        return tr("%1 cannot be reached from this machine (no route). Check your network, VPN "
                  "or firewall.")
            .arg(where);
    if (has(m, "Peer name") && has(m, "not in peer certificate"))
        return tr("The service's certificate does not name \"%1\" (hostname mismatch). Connect "
                  "by a name the certificate lists, or have it reissued for this name.")
            .arg(hostOf(spec.target));
    if (spec.tls && (has(m, "wrong version number") || has(m, "packet length too long") ||
                     has(m, "record layer failure") || has(m, "WRONG_VERSION_NUMBER")))
        return tr("%1 does not speak TLS (its answer was not a TLS handshake). Turn TLS off in "
                  "the profile, or check the port.")
            .arg(where);
    if (spec.tls && (has(m, "certificate required") || has(m, "CERTIFICATE_REQUIRED")))
        return spec.mutualTls()
                   ? tr("%1 did not accept our client certificate. Check that it is signed by "
                        "the CA the service trusts and has not expired.")
                         .arg(where)
                   : tr("%1 requires a client certificate (mTLS) and this profile has none. "
                        "Add the client certificate and key in the profile.")
                         .arg(where);
    if (spec.tls && (has(m, "certificate verify failed") || has(m, "CERTIFICATE_VERIFY_FAILED")))
        return tr("The certificate of %1 could not be verified. Check the profile's CA file (or "
                  "the system roots) and the certificate's dates.")
            .arg(where);
    if (spec.tls && looksLikeTlsFailure(m))
        return tr("The TLS handshake with %1 failed. Check the profile's CA, client certificate "
                  "and that the service speaks TLS on this port.")
            .arg(where);
    if (!spec.tls && looksLikeClosedByPeer(m))
        return tr("%1 closed the connection at once. If the service expects TLS, turn TLS on in "
                  "the profile.")
            .arg(where);
    if (code == RpcCode::DeadlineExceeded || has(m, "handshaker shutdown") ||
        has(m, "Timeout occurred") || has(m, "timed out") || has(m, "Connect Timeout"))
        return tr("No answer from %1: the host did not take the connection in time (it may be "
                  "down, or a firewall drops the traffic). Check the address, your network, VPN "
                  "or firewall.")
            .arg(where);
    if (code == RpcCode::Unimplemented)
        return tr("%1 does not serve grpc.health.v1, which Switchboard needs to know its state.")
            .arg(where);
    if (code == RpcCode::Unauthenticated)
        return tr("%1 refused the token (%2). Check the profile's token.").arg(where, m);
    if (m.isEmpty())
        return tr("No answer from %1.").arg(where);
    // Something we have no sentence for: say so plainly, keep gRPC's tail.
    QString detail = m;
    if (const int last = m.lastIndexOf(QLatin1String(": ")); last >= 0 && last + 2 < m.size())
        detail = m.mid(last + 2);
    return tr("Cannot connect to %1 (%2). Check the address, and that the service is running.")
        .arg(where, detail);
}

QString describeCertificateError(const QSslError &e, const QString &target)
{
    const QSslCertificate c = e.certificate();
    const QString who = c.isNull() ? target : QStringLiteral("\"%1\"").arg(subjectOf(c));
    switch (e.error()) {
    case QSslError::CertificateExpired:
        return tr("The service's certificate %1 expired on %2. The service needs a renewed "
                  "certificate; also check this machine's clock.")
            .arg(who, c.expiryDate().toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")));
    case QSslError::CertificateNotYetValid:
        return tr("The service's certificate %1 is not valid before %2. Check this machine's "
                  "clock and the service's.")
            .arg(who, c.effectiveDate().toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")));
    case QSslError::HostNameMismatch:
        return tr("The service's certificate is for %1, not \"%2\" (hostname mismatch). Connect "
                  "by a name the certificate lists, or have it reissued for this name.")
            .arg(who, hostOf(target));
    case QSslError::SelfSignedCertificate:
    case QSslError::SelfSignedCertificateInChain:
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToGetIssuerCertificate:
    case QSslError::UnableToVerifyFirstCertificate:
    case QSslError::CertificateUntrusted:
    case QSslError::CertificateSignatureFailed: {
        const QStringList issuer = c.issuerInfo(QSslCertificate::CommonName);
        return tr("The service's certificate %1 is not signed by a CA this profile trusts "
                  "(issuer \"%2\"). Check the profile's CA file, or use the system roots if the "
                  "service has a public certificate.")
            .arg(who, issuer.join(QStringLiteral(", ")));
    }
    case QSslError::CertificateRevoked:
        return tr("The service's certificate %1 has been revoked.").arg(who);
    default:
        return tr("The service's certificate %1 was refused: %2.").arg(who, e.errorString());
    }
}

QString describeHandshakeFailure(const QString &m, const ChannelSpec &spec)
{
    if (has(m, "certificate required") || has(m, "handshake failure") ||
        has(m, "peer did not return a certificate"))
        return describeConnectFailure(RpcCode::Unavailable, QStringLiteral("certificate required"),
                                      spec);
    if (has(m, "unknown ca") || has(m, "bad certificate") || has(m, "certificate unknown") ||
        has(m, "certificate expired") || has(m, "decrypt error"))
        return QCoreApplication::translate(
                   "ConnectionErrors", "%1 refused our client certificate (%2). Check that it is "
                                       "signed by the CA the service trusts and has not expired.")
            .arg(spec.target, m);
    if (has(m, "wrong version number") || has(m, "packet length too long") ||
        has(m, "unexpected eof") || has(m, "record layer"))
        return describeConnectFailure(RpcCode::Unavailable, QStringLiteral("wrong version number"),
                                      spec);
    return {};
}

QString describeSpeaksTls(const QString &target)
{
    return tr("%1 speaks TLS, but this profile connects in plaintext. Turn TLS on in the "
              "profile (with its CA if it is not a public certificate).")
        .arg(target);
}

} // namespace sb
