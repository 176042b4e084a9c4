#pragma once

// ChannelSpec: everything needed to open a channel to one service, resolved
// from a connection profile (files read, token fetched). It holds the token
// and the client key in memory only; nothing here is ever logged or saved,
// and describe() names what is used without showing any secret.

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QPair>
#include <QString>

namespace sb {

struct ChannelSpec
{
    QString target; // "host:port"
    bool tls = false;
    QByteArray caPem; // empty: the system's root certificates
    QByteArray clientCertPem;
    QByteArray clientKeyPem;                 // secret
    QString token;                           // secret; sent as "authorization: Bearer <token>"
    QList<QPair<QString, QString>> metadata; // extra headers on every call

    bool mutualTls() const { return tls && !clientCertPem.isEmpty(); }
    // E.g. "TLS (custom CA), client certificate, token"; never a secret.
    QString describe() const;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::ChannelSpec)
