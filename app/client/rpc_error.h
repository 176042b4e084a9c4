#pragma once

// What a failed call tells the user: the gRPC code, the service's message and,
// for a write that lost an etag race, the object as it is now. Plain Qt types so
// the ui never sees gRPC.

#include "core/rpc_code.h"
#include "core/types.h"

#include <QMetaType>
#include <QString>
#include <variant>

namespace sb {

struct ConflictInfo
{
    QString currentEtag;
    QString updatedBy;
    qint64 updatedMs = 0;
    std::variant<std::monostate, Prompt, Experiment, Route, Model> current;
};

struct RpcError
{
    RpcCode code = RpcCode::Ok;
    QString message;
    std::optional<ConflictInfo> conflict;

    bool ok() const { return code == RpcCode::Ok; }
    QString codeName() const;
    // One line for the status bar, e.g. "permission denied: operator role required".
    QString describe() const;
    // Worth retrying with backoff (UNAVAILABLE, DEADLINE_EXCEEDED, ...).
    bool transient() const;
    // Retrying cannot help (bad request, not found, permission, wrong token,
    // unimplemented): a stream stops instead of reconnecting.
    bool permanent() const;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::ConflictInfo)
Q_DECLARE_METATYPE(sb::RpcError)
