#include "client/grpc_runtime.h"

#include "client/call_tracker.h"

#include <grpc/grpc.h>

namespace sb {

GrpcRuntime::GrpcRuntime()
{
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
