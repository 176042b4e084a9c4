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
    std::set<grpc::ClientContext *> cancellable; // added, not yet released
    int live = 0;                                // added, not yet gone
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
    r.cancellable.insert(ctx);
    ++r.live;
}

void CallTracker::release(grpc::ClientContext *ctx)
{
    auto &r = registry();
    std::lock_guard lock(r.mutex);
    r.cancellable.erase(ctx);
}

void CallTracker::gone()
{
    auto &r = registry();
    std::lock_guard lock(r.mutex);
    if (--r.live == 0)
        r.idle.notify_all();
}

int CallTracker::inFlight()
{
    auto &r = registry();
    std::lock_guard lock(r.mutex);
    return r.live;
}

bool CallTracker::cancelAllAndWait(std::chrono::milliseconds timeout)
{
    auto &r = registry();
    std::unique_lock lock(r.mutex);
    for (auto *ctx : r.cancellable)
        ctx->TryCancel(); // a context is released before it is destroyed, under this lock
    return r.idle.wait_for(lock, timeout, [&] { return r.live == 0; });
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
        if (r.live != 0)
            return int(r.retired.size());
        drop.swap(r.retired);
    }
    drop.clear(); // the last references go here, on this thread, outside the lock
    return 0;
}

} // namespace sb
