#pragma once

// WatchLink: how a ResumingWatch's reactor, on gRPC threads, reaches its
// owner. Every post runs on the owner's thread, and only while the owner is
// alive and still on the call the reactor belongs to. Client-layer internal.

#include "client/post_guard.h"
#include "client/resuming_watch.h"
#include "client/stream_reactor.h"

#include <functional>
#include <memory>
#include <utility>

namespace sb {

struct WatchLink
{
    std::shared_ptr<PostGuard> guard;
    std::shared_ptr<detail::ActiveCall> active;
    ResumingWatch *owner = nullptr; // only dereferenced in posts, which die with it
    quint64 generation = 0;

    // Runs fn() on the owner's thread if the call is still current.
    template <class F> void post(F fn) const
    {
        guard->post([owner = owner, gen = generation, fn = std::move(fn)]() mutable {
            if (gen == owner->m_generation)
                fn();
        });
    }

    // The service has answered (headers or a snapshot): watching, backoff reset.
    void answered() const
    {
        post([o = owner] { o->onAnswered(); });
    }

    // For StreamReactor: the call's end, reported once.
    std::function<void(const RpcError &)> done() const
    {
        return [guard = guard, owner = owner, gen = generation](const RpcError &err) {
            guard->post([owner, err, gen] { owner->onCallDone(err, gen); });
        };
    }
};

} // namespace sb
