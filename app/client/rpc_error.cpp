#include "client/rpc_error.h"

namespace sb {

QString RpcError::codeName() const
{
    return sb::codeName(code);
}

QString RpcError::describe() const
{
    if (message.isEmpty())
        return codeName();
    return codeName() + QStringLiteral(": ") + message;
}

bool RpcError::transient() const
{
    switch (code) {
    case RpcCode::Unknown:
    case RpcCode::DeadlineExceeded:
    case RpcCode::ResourceExhausted:
    case RpcCode::Aborted:
    case RpcCode::Internal:
    case RpcCode::Unavailable:
        return true; // the call may succeed later
    default:
        return false;
    }
}

bool RpcError::permanent() const
{
    switch (code) {
    case RpcCode::InvalidArgument:
    case RpcCode::NotFound:
    case RpcCode::PermissionDenied:
    case RpcCode::Unimplemented:
    case RpcCode::Unauthenticated:
        return true;
    default:
        return false;
    }
}

} // namespace sb
