#pragma once

// switchboard-ctl's exit codes: part of its interface (scripts branch on
// them), documented in `switchboard-ctl help exit-codes` and the man page.

namespace sb::ctl {

enum class Exit
{
    Ok = 0,
    Failure = 1,          // anything else: not found, invalid argument, cache unreadable
    Usage = 2,            // bad flags or arguments; a prod write refused without --yes off a TTY
    Unreachable = 3,      // the service could not be reached (try --offline)
    AuthRejected = 4,     // the service refused the token (UNAUTHENTICATED)
    Conflict = 5,         // someone else changed it first (stale etag); nothing was overwritten
    PermissionDenied = 6, // the token's role may not do this (PERMISSION_DENIED)
    Interrupted = 130     // Ctrl-C, e.g. ending --watch
};

inline int code(Exit e)
{
    return static_cast<int>(e);
}

} // namespace sb::ctl
