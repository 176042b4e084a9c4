#pragma once

// Builds the gRPC channel for a ChannelSpec: TLS with the system roots or a
// custom CA, a client certificate for mTLS, the bearer token as call
// credentials on a TLS channel, and keepalive within what a gRPC server allows
// by default. Client-layer internal.

#include "client/channel_spec.h"

#include <functional>
#include <memory>

namespace grpc {
class Channel;
namespace experimental {
class ClientInterceptorFactoryInterface;
}
} // namespace grpc

namespace sb::detail {

// On a plaintext channel gRPC refuses call credentials, so the token goes
// into each call's metadata instead (Connection::prepare); tokenInCallCredentials
// says which way this channel carries it.
std::shared_ptr<grpc::Channel> createChannel(const ChannelSpec &spec, bool *tokenInCallCredentials);

// Channels created from now on get the interceptor this makes (the session
// recorder, app/replay/recorder.h); an empty function or a null result: none.
using InterceptorMaker =
    std::function<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>()>;
void setChannelInterceptor(InterceptorMaker maker);

} // namespace sb::detail
