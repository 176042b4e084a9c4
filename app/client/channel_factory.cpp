#include "client/channel_factory.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/client_interceptor.h>
#include <mutex>

namespace sb::detail {

namespace {

// The token as call credentials: gRPC attaches it to every call on the
// channel, only over a secure transport.
class BearerToken final : public grpc::MetadataCredentialsPlugin
{
public:
    explicit BearerToken(std::string token) : m_header("Bearer " + std::move(token)) {}
    bool IsBlocking() const override { return false; }
    const char *GetType() const override { return "switchboard-bearer"; }
    grpc::Status GetMetadata(grpc::string_ref, grpc::string_ref, const grpc::AuthContext &,
                             std::multimap<grpc::string, grpc::string> *metadata) override
    {
        metadata->insert({"authorization", m_header});
        return grpc::Status::OK;
    }
    // gRPC may print this; it must not hold the token.
    grpc::string DebugString() override { return "switchboard bearer token"; }

private:
    std::string m_header;
};

std::mutex g_interceptorMutex;
InterceptorMaker g_interceptor;

} // namespace

void setChannelInterceptor(InterceptorMaker maker)
{
    std::lock_guard lock(g_interceptorMutex);
    g_interceptor = std::move(maker);
}

std::shared_ptr<grpc::Channel> createChannel(const ChannelSpec &spec, bool *tokenInCallCredentials)
{
    grpc::ChannelArguments args;
    // The transport itself retries quickly (a restarted service is found
    // within 4 s by every stream); the schedule the user sees, gRPC's
    // 1 s × 1.6 … 120 s, is the Connection's health retry, which also resets
    // this backoff when the user presses Retry now.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 250);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 4000);
    // Keepalive pings no more often than a gRPC server accepts by default
    // (5 min without data, GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS),
    // and only while calls are open; a server that still answers with GOAWAY
    // "too_many_pings" makes gRPC double the interval by itself.
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 5 * 60 * 1000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
    args.SetMaxReceiveMessageSize(64 * 1024 * 1024);

    *tokenInCallCredentials = false;
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    if (spec.tls) {
        grpc::SslCredentialsOptions ssl;
        ssl.pem_root_certs = spec.caPem.toStdString(); // empty: system roots
        ssl.pem_cert_chain = spec.clientCertPem.toStdString();
        ssl.pem_private_key = spec.clientKeyPem.toStdString();
        credentials = grpc::SslCredentials(ssl);
        if (!spec.token.isEmpty()) {
            credentials = grpc::CompositeChannelCredentials(
                credentials, grpc::MetadataCredentialsFromPlugin(
                                 std::make_unique<BearerToken>(spec.token.toStdString())));
            *tokenInCallCredentials = true;
        }
    } else {
        credentials = grpc::InsecureChannelCredentials();
    }
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
        interceptors;
    {
        std::lock_guard lock(g_interceptorMutex);
        if (g_interceptor) {
            if (auto f = g_interceptor())
                interceptors.push_back(std::move(f));
        }
    }
    if (!interceptors.empty())
        return grpc::experimental::CreateCustomChannelWithInterceptors(
            spec.target.toStdString(), credentials, args, std::move(interceptors));
    return grpc::CreateCustomChannel(spec.target.toStdString(), credentials, args);
}

} // namespace sb::detail
