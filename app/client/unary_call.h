#pragma once

// One unary call over the grpc++ callback API. The call state (context,
// request, response, stub) lives in a shared block kept alive by the
// completion callback; `finish` runs on a gRPC thread and must only convert
// and post. Client-layer internal.

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/convert.h"
#include "client/post_guard.h"
#include "core/change.h"

#include <grpcpp/grpcpp.h>
#include <memory>

namespace sb::detail {

template <class Service, class Req, class Resp> struct UnaryCall
{
    grpc::ClientContext ctx;
    Req req;
    Resp resp;
    std::unique_ptr<typename Service::Stub> stub;
};

// start(async, ctx, req, resp, callback) issues the RPC;
// finish(status, call) runs once when it completes.
template <class Service, class Resp, class Req, class Start, class Finish>
void unary(const Connection &conn, Req req, Start start, Finish finish)
{
    auto call = std::make_shared<UnaryCall<Service, Req, Resp>>();
    call->req = std::move(req);
    auto ch = conn.channel();
    if (!ch) {
        finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "not connected"), *call);
        return;
    }
    call->stub = Service::NewStub(ch);
    conn.prepare(call->ctx, Connection::kUnaryDeadline);
    CallTracker::add(&call->ctx);
    start(call->stub->async(), &call->ctx, &call->req, &call->resp,
          [call, finish](grpc::Status s) mutable {
              finish(s, *call);
              // Destroy context and stub before telling the tracker, so "no call
              // in flight" means no stub holds a channel any more.
              CallTracker::closing(&call->ctx);
              call.reset();
              CallTracker::closed();
          });
}

// The common case: on failure `owner->failed(operation, error)` is emitted on
// the owner's thread; on success onOk(resp) runs on the gRPC thread, where it
// converts and posts.
template <class Service, class Resp, class Req, class Owner, class Start, class OnOk>
void unaryOrFail(Owner *owner, const std::shared_ptr<PostGuard> &guard, const Connection &conn,
                 const QString &operation, Req req, Start start, OnOk onOk)
{
    unary<Service, Resp>(
        conn, std::move(req), std::move(start),
        [owner, guard, operation, onOk](const grpc::Status &s, auto &call) {
            if (!s.ok()) {
                auto err = convert::toError(s, call.ctx);
                guard->post([owner, operation, err] { emit owner->failed(operation, err); });
                return;
            }
            onOk(call.resp);
        });
}

// A write: on failure `owner->changeFailed(change, error)` is emitted on the
// owner's thread (the caller matches it to what it sent by request id); on
// success onOk(resp) runs on the gRPC thread.
template <class Service, class Resp, class Req, class Owner, class Start, class OnOk>
void unaryWrite(Owner *owner, const std::shared_ptr<PostGuard> &guard, const Connection &conn,
                const Change &change, Req req, Start start, OnOk onOk)
{
    unary<Service, Resp>(
        conn, std::move(req), std::move(start),
        [owner, guard, change, onOk](const grpc::Status &s, auto &call) {
            if (!s.ok()) {
                auto err = convert::toError(s, call.ctx);
                guard->post([owner, change, err] { emit owner->changeFailed(change, err); });
                return;
            }
            onOk(call.resp);
        });
}

} // namespace sb::detail
