#include "client/grpc_runtime.h"

#include "client/call_tracker.h"

#include <cstring>
#include <grpc/grpc.h>
#include <grpc/support/log.h>

// gRPC's own log writer; public in libgpr but not in its headers.
void gpr_default_log(gpr_log_func_args *args);

namespace sb {

namespace {

bool endsWith(const char *s, const char *suffix)
{
    const std::size_t n = std::strlen(s), m = std::strlen(suffix);
    return n >= m && std::strcmp(s + n - m, suffix) == 0;
}

// A failed TLS handshake is the connection's to explain (connection_errors.h:
// "the certificate is not signed by a CA this profile trusts", ...), once, in
// the connection bar; gRPC would also print a line for every attempt on
// stderr. Everything else gRPC logs is kept.
void filteredLog(gpr_log_func_args *args)
{
    if (args->file && args->message && endsWith(args->file, "ssl_transport_security.cc") &&
        std::strncmp(args->message, "Handshake failed", 16) == 0)
        return;
    gpr_default_log(args);
}

} // namespace

GrpcRuntime::GrpcRuntime()
{
    gpr_set_log_function(&filteredLog);
    grpc_init();
}

GrpcRuntime::~GrpcRuntime()
{
    CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    CallTracker::releaseRetired();
    // Deprecated in favour of grpc_shutdown, which may finish on another
    // thread after main() returns: exactly the race this class exists to stop.
    grpc_shutdown_blocking();
}

} // namespace sb
