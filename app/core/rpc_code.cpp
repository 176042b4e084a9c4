#include "core/rpc_code.h"

#include <iterator>

namespace sb {

QString codeName(RpcCode code)
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
    const int i = int(code);
    if (i >= 0 && i < int(std::size(names)))
        return QString::fromLatin1(names[i]);
    return QStringLiteral("code %1").arg(i);
}

RpcCode rpcCodeFromInt(int code)
{
    return code >= 0 && code <= int(RpcCode::Unauthenticated) ? RpcCode(code) : RpcCode::Unknown;
}

} // namespace sb
