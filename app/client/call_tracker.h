#pragma once

// Every call the client layer starts is registered here until gRPC has
// finished with it, so the console can cancel what is still running and wait
// (bounded) for gRPC to let go before the process exits. Exiting with calls
// in flight races gRPC's own teardown and can abort the process.

#include <chrono>

namespace grpc {
class ClientContext;
}

namespace sb {

class CallTracker
{
public:
    static void add(grpc::ClientContext *ctx);
    static void remove(grpc::ClientContext *ctx);
    static int inFlight();
    // Cancels every call in flight and waits until gRPC has finished them
    // all, or the timeout passes. Returns true when none is left. For use at
    // exit, after the event loop has ended.
    static bool cancelAllAndWait(std::chrono::milliseconds timeout);
};

} // namespace sb
