#pragma once

// RpcCode: gRPC status codes as the rest of the console sees them. The values
// are gRPC's own (grpc::StatusCode), so the client layer converts by a cast,
// but nothing above it compares bare integers.

#include <QString>

namespace sb {

enum class RpcCode
{
    Ok = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16
};

// "permission denied", "failed precondition", ...; "code N" for unknown values.
QString codeName(RpcCode code);
// An out-of-range integer from the wire maps to Unknown.
RpcCode rpcCodeFromInt(int code);

} // namespace sb
