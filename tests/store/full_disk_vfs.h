#pragma once

// A SQLite VFS that wraps the default one and runs out of space on demand:
// once installed (as the process's default VFS, so the Cache uses it without
// knowing), files under a chosen folder may grow by at most a byte budget in
// all, and a write that would grow one beyond it fails with SQLITE_FULL, as
// the unix VFS reports ENOSPC. Writes within a file's current size still
// succeed, as on a real full disk. No root, no mount: what a user's machine
// can run too.

#include <QString>
#include <cstdint>

namespace sb::test {

class FullDiskVfs
{
public:
    // Registers the shim as the default VFS (once per process).
    static void install();
    // Files under `folder` are limited from now on; others never are.
    static void limit(const QString &folder, std::int64_t bytes);
    // Space is back: no limit.
    static void unlimit();
    // How many writes were refused since install().
    static std::int64_t refusals();
};

} // namespace sb::test
