#pragma once

// Why a service cannot be reached, as a sentence that says what happened and
// what to check: gRPC's own status text names internals ("failed to connect
// to all addresses; last error: UNKNOWN: ipv4:…"), which tells a user little.
// Client-layer internal, but plain Qt so tests can pin the wording.

#include "client/channel_spec.h"
#include "core/rpc_code.h"

#include <QString>

class QSslError;

namespace sb {

QString describeConnectFailure(RpcCode code, const QString &grpcMessage, const ChannelSpec &spec);
// The failure happened during (or instead of) a TLS handshake, so a TLS
// probe can say more than gRPC does.
bool looksLikeTlsFailure(const QString &grpcMessage);
// The peer closed a plaintext connection at once: maybe it expects TLS.
bool looksLikeClosedByPeer(const QString &grpcMessage);

// What the TLS probe found, in the same voice.
QString describeCertificateError(const QSslError &error, const QString &target);
QString describeHandshakeFailure(const QString &tlsMessage, const ChannelSpec &spec);
QString describeSpeaksTls(const QString &target);

} // namespace sb
