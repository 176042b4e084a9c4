#include "client/rpc_error.h"

namespace sb {

QString RpcError::codeName() const
{
    static const char *names[] = {"ok",
                                  "cancelled",
                                  "unknown",
                                  "invalid argument",
                                  "deadline exceeded",
                                  "not found",
                                  "already exists",
                                  "permission denied",
                                  "resource exhausted",
                                  "failed precondition",
                                  "aborted",
                                  "out of range",
                                  "unimplemented",
                                  "internal",
                                  "unavailable",
                                  "data loss",
                                  "unauthenticated"};
    if (code >= 0 && code < int(std::size(names)))
        return QString::fromLatin1(names[code]);
    return QStringLiteral("code %1").arg(code);
}

QString RpcError::describe() const
{
    if (message.isEmpty())
        return codeName();
    return codeName() + QStringLiteral(": ") + message;
}

bool RpcError::transient() const
{
    // UNKNOWN(2), DEADLINE_EXCEEDED(4), RESOURCE_EXHAUSTED(8), ABORTED(10),
    // INTERNAL(13), UNAVAILABLE(14): the call may succeed later.
    return code == 2 || code == 4 || code == 8 || code == 10 || code == 13 || code == 14;
}

bool RpcError::permanent() const
{
    // INVALID_ARGUMENT(3), NOT_FOUND(5), PERMISSION_DENIED(7), UNIMPLEMENTED(12),
    // UNAUTHENTICATED(16).
    return code == 3 || code == 5 || code == 7 || code == 12 || code == 16;
}

} // namespace sb
