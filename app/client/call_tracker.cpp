#include "client/call_tracker.h"

#include <condition_variable>
#include <grpcpp/grpcpp.h>
#include <mutex>
#include <set>
#include <vector>

namespace sb {

namespace {

struct Registry
{
    std::mutex mutex;
    std::condition_variable idle;
    std::set<grpc::ClientContext *> calls;
    int closing = 0; // left `calls`, context not yet destroyed
    std::vector<std::shared_ptr<grpc::Channel>> retired;
};

Registry &registry()
{
    // Leaked on purpose: must outlive every gRPC thread at exit.
    static auto *r = new Registry;
    return *r;
}

} // namespace

void CallTracker::add(grpc::ClientContext *ctx)
{
    auto &r = registry();
    std::lock_guard lock(r.mutex);
    r.calls.insert(ctx);
}

void CallTracker::closing(grpc::ClientContext *ctx)
{
    auto &r = registry();
    std::lock_guard lock(r.mutex);
    if (r.calls.erase(ctx))
        ++r.closing;
}

void CallTracker::closed()
{
    auto &r = registry();
    std::lock_guard lock(r.mutex);
    if (r.closing > 0)
        --r.closing;
    if (r.calls.empty() && r.closing == 0)
        r.idle.notify_all();
}

int CallTracker::inFlight()
{
    auto &r = registry();
    std::lock_guard lock(r.mutex);
    return int(r.calls.size()) + r.closing;
}

bool CallTracker::cancelAllAndWait(std::chrono::milliseconds timeout)
{
    auto &r = registry();
    std::unique_lock lock(r.mutex);
    for (auto *ctx : r.calls)
        ctx->TryCancel(); // a context leaves `calls` (closing) before it is destroyed
    return r.idle.wait_for(lock, timeout, [&] { return r.calls.empty() && r.closing == 0; });
}

void CallTracker::retire(std::shared_ptr<grpc::Channel> channel)
{
    if (!channel)
        return;
    auto &r = registry();
    std::lock_guard lock(r.mutex);
    r.retired.push_back(std::move(channel));
}

int CallTracker::releaseRetired()
{
    std::vector<std::shared_ptr<grpc::Channel>> drop;
    auto &r = registry();
    {
        std::lock_guard lock(r.mutex);
        if (!r.calls.empty() || r.closing > 0)
            return int(r.retired.size());
        drop.swap(r.retired);
    }
    drop.clear(); // the last references go here, on this thread, outside the lock
    return 0;
}

} // namespace sb
