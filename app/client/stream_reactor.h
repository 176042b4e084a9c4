#pragma once

// The lifecycle every server-streaming call of the client layer shares, on
// grpc++'s callback API: register with the CallTracker, read until the
// stream ends, report the end exactly once, then delete itself (nothing may
// touch a reactor after OnDone). Subclasses only handle messages. The owner
// cancels the call in flight through an ActiveCall, which the reactor clears
// before it dies, so cancel never races the end. Client-layer internal.

#include "client/call_tracker.h"
#include "client/convert.h"

#include <functional>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/client_callback.h>
#include <memory>
#include <mutex>

namespace sb::detail {

struct ActiveCall
{
    std::mutex mutex;
    grpc::ClientContext *ctx = nullptr;

    void cancel()
    {
        std::lock_guard lock(mutex);
        if (ctx)
            ctx->TryCancel(); // best effort; OnDone still follows
    }
};

template <class Resp> class StreamReactor : public grpc::ClientReadReactor<Resp>
{
public:
    // Runs once, on a gRPC thread, when the call has ended: it must only post.
    using Done = std::function<void(const RpcError &)>;

    StreamReactor(std::shared_ptr<ActiveCall> active, Done done)
        : m_active(std::move(active)), m_done(std::move(done))
    {}

    grpc::ClientContext &context() { return m_ctx; }

    // start(ctx, reactor) issues the RPC, e.g. stub->async()->X(ctx, &req, reactor).
    template <class Start> void begin(Start start)
    {
        {
            std::lock_guard lock(m_active->mutex);
            m_active->ctx = &m_ctx;
        }
        CallTracker::add(&m_ctx);
        start(&m_ctx, this);
        this->StartRead(&m_response);
        this->StartCall();
    }

    void OnReadDone(bool ok) override
    {
        if (!ok)
            return; // OnDone follows with the status
        onMessage(m_response);
        this->StartRead(&m_response);
    }

    void OnDone(const grpc::Status &status) override
    {
        const RpcError err = convert::toError(status, m_ctx);
        {
            std::lock_guard lock(m_active->mutex);
            if (m_active->ctx == &m_ctx)
                m_active->ctx = nullptr;
        }
        m_done(err);
        // Out of the tracker's list before the context is destroyed: an exit
        // cancelling every call must never reach a deleted context.
        CallTracker::closing(&m_ctx);
        delete this;
        CallTracker::closed();
    }

protected:
    // On a gRPC thread, one message at a time.
    virtual void onMessage(const Resp &message) = 0;

private:
    std::shared_ptr<ActiveCall> m_active;
    Done m_done;
    grpc::ClientContext m_ctx;
    Resp m_response;
};

} // namespace sb::detail
