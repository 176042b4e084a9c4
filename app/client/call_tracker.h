#pragma once

// Every call the client layer starts is registered here until gRPC has
// finished with it (its context and stub destroyed), so the console can cancel
// what is still running and wait (bounded) for gRPC to let go before the
// process exits.
//
// It also keeps channels that are no longer used (a new target, a destroyed
// Connection) until no call is in flight, and lets them go on the caller's
// thread. gRPC 1.51 aborts ("grpc_cq_internal_unref: prior > 0") when the
// last reference to a channel is dropped on one of the callback queue's own
// threads, which is what happens if a call's stub outlives its Connection.

#include <chrono>
#include <memory>

namespace grpc {
class Channel;
class ClientContext;
} // namespace grpc

namespace sb {

class CallTracker
{
public:
    static void add(grpc::ClientContext *ctx);
    // A finished call: closing(ctx) before its context (and stub) are
    // destroyed, so cancelAllAndWait() never cancels a destroyed context;
    // closed() once they are, so "no call in flight" still means no stub
    // holds a channel.
    static void closing(grpc::ClientContext *ctx);
    static void closed();
    static int inFlight();
    // Cancels every call in flight and waits until gRPC has finished them
    // all, or the timeout passes. Returns true when none is left. For use at
    // exit, after the event loop has ended.
    static bool cancelAllAndWait(std::chrono::milliseconds timeout);

    // Keeps a channel alive until releaseRetired() finds no call in flight.
    static void retire(std::shared_ptr<grpc::Channel> channel);
    // Drops retired channels if no call is in flight. Call on an application
    // thread (never from a gRPC callback). Returns how many are still kept.
    static int releaseRetired();
};

} // namespace sb
