#pragma once

// GrpcRuntime: holds the gRPC library open for the life of main() and, on
// destruction, shuts it down *blocking* until gRPC's background threads are
// done. Without it the last channel's teardown runs on gRPC's threads while
// the process exits and static destructors run, which can abort the process
// ("assertion failed: prior > 0") after everything the user cares about was
// saved. Declare it first in main(), before any channel, server or stub.
// It also keeps gRPC's per-attempt "Handshake failed" lines off stderr: the
// connection explains a TLS failure itself, in a sentence.

namespace sb {

class GrpcRuntime
{
public:
    GrpcRuntime();
    ~GrpcRuntime();
    GrpcRuntime(const GrpcRuntime &) = delete;
    GrpcRuntime &operator=(const GrpcRuntime &) = delete;
};

} // namespace sb
