#include "full_disk_vfs.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <sqlite3.h>
#include <string>

namespace sb::test {

namespace {

sqlite3_vfs *g_real = nullptr;
sqlite3_vfs g_vfs;
std::mutex g_folderMutex;
std::string g_folder;                 // guarded by g_folderMutex
std::atomic<std::int64_t> g_left{-1}; // bytes files may still grow by; -1: no limit
std::atomic<std::int64_t> g_refused{0};

// Our file: its methods, then the real VFS's file (szOsFile bytes) right after.
struct ShimFile
{
    sqlite3_file base;
    bool limited;
};

sqlite3_file *real(sqlite3_file *f)
{
    return reinterpret_cast<sqlite3_file *>(reinterpret_cast<ShimFile *>(f) + 1);
}

// Takes `grow` bytes from the budget, or refuses when they are not there.
bool take(std::int64_t grow)
{
    std::int64_t left = g_left.load();
    do {
        if (left < 0)
            return true;
        if (grow > left) {
            ++g_refused;
            return false;
        }
    } while (!g_left.compare_exchange_weak(left, left - grow));
    return true;
}

int shimClose(sqlite3_file *f)
{
    return real(f)->pMethods->xClose(real(f));
}

int shimRead(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
    return real(f)->pMethods->xRead(real(f), buf, amt, off);
}

int shimWrite(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
    if (reinterpret_cast<ShimFile *>(f)->limited) {
        sqlite3_int64 size = 0;
        if (real(f)->pMethods->xFileSize(real(f), &size) != SQLITE_OK)
            return SQLITE_IOERR_WRITE;
        if (off + amt > size && !take(off + amt - std::max(size, off)))
            return SQLITE_FULL;
    }
    return real(f)->pMethods->xWrite(real(f), buf, amt, off);
}

int shimTruncate(sqlite3_file *f, sqlite3_int64 size)
{
    return real(f)->pMethods->xTruncate(real(f), size);
}

int shimSync(sqlite3_file *f, int flags)
{
    return real(f)->pMethods->xSync(real(f), flags);
}

int shimFileSize(sqlite3_file *f, sqlite3_int64 *size)
{
    return real(f)->pMethods->xFileSize(real(f), size);
}

int shimLock(sqlite3_file *f, int level)
{
    return real(f)->pMethods->xLock(real(f), level);
}

int shimUnlock(sqlite3_file *f, int level)
{
    return real(f)->pMethods->xUnlock(real(f), level);
}

int shimCheckReservedLock(sqlite3_file *f, int *out)
{
    return real(f)->pMethods->xCheckReservedLock(real(f), out);
}

int shimFileControl(sqlite3_file *f, int op, void *arg)
{
    // A size hint makes the unix VFS preallocate: that is growth too.
    if (op == SQLITE_FCNTL_SIZE_HINT && reinterpret_cast<ShimFile *>(f)->limited) {
        sqlite3_int64 size = 0;
        const sqlite3_int64 want = *static_cast<sqlite3_int64 *>(arg);
        if (real(f)->pMethods->xFileSize(real(f), &size) == SQLITE_OK && want > size &&
            !take(want - size))
            return SQLITE_FULL;
    }
    return real(f)->pMethods->xFileControl(real(f), op, arg);
}

int shimSectorSize(sqlite3_file *f)
{
    return real(f)->pMethods->xSectorSize(real(f));
}

int shimDeviceCharacteristics(sqlite3_file *f)
{
    return real(f)->pMethods->xDeviceCharacteristics(real(f));
}

int shimShmMap(sqlite3_file *f, int page, int size, int extend, void volatile **out)
{
    return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
}

int shimShmLock(sqlite3_file *f, int offset, int n, int flags)
{
    return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}

void shimShmBarrier(sqlite3_file *f)
{
    real(f)->pMethods->xShmBarrier(real(f));
}

int shimShmUnmap(sqlite3_file *f, int deleteFlag)
{
    return real(f)->pMethods->xShmUnmap(real(f), deleteFlag);
}

int shimFetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **out)
{
    return real(f)->pMethods->xFetch(real(f), off, amt, out);
}

int shimUnfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return real(f)->pMethods->xUnfetch(real(f), off, p);
}

const sqlite3_io_methods g_methods = {
    3,
    shimClose,
    shimRead,
    shimWrite,
    shimTruncate,
    shimSync,
    shimFileSize,
    shimLock,
    shimUnlock,
    shimCheckReservedLock,
    shimFileControl,
    shimSectorSize,
    shimDeviceCharacteristics,
    shimShmMap,
    shimShmLock,
    shimShmBarrier,
    shimShmUnmap,
    shimFetch,
    shimUnfetch,
};

int shimOpen(sqlite3_vfs *, sqlite3_filename name, sqlite3_file *f, int flags, int *outFlags)
{
    auto *shim = reinterpret_cast<ShimFile *>(f);
    shim->base.pMethods = nullptr;
    const int rc = g_real->xOpen(g_real, name, real(f), flags, outFlags);
    if (rc != SQLITE_OK || !real(f)->pMethods)
        return rc;
    // Only a version-3 file has every method above.
    if (real(f)->pMethods->iVersion < 3) {
        real(f)->pMethods->xClose(real(f));
        return SQLITE_CANTOPEN;
    }
    {
        const std::lock_guard lock(g_folderMutex);
        shim->limited =
            name && !g_folder.empty() && std::strncmp(name, g_folder.c_str(), g_folder.size()) == 0;
    }
    shim->base.pMethods = &g_methods;
    return SQLITE_OK;
}

} // namespace

void FullDiskVfs::install()
{
    if (g_real)
        return;
    g_real = sqlite3_vfs_find(nullptr);
    g_vfs = *g_real;
    g_vfs.iVersion = std::min(g_real->iVersion, 3);
    g_vfs.szOsFile = int(sizeof(ShimFile)) + g_real->szOsFile;
    g_vfs.zName = "sb-full-disk";
    g_vfs.pNext = nullptr;
    g_vfs.xOpen = shimOpen;
    // Every other call (delete, access, full pathname, randomness, time, ...)
    // is the real VFS's own, which ignores pVfs beyond its own fields.
    sqlite3_vfs_register(&g_vfs, 1);
}

void FullDiskVfs::limit(const QString &folder, std::int64_t bytes)
{
    {
        const std::lock_guard lock(g_folderMutex);
        g_folder = folder.endsWith(QLatin1Char('/')) ? folder.toStdString()
                                                     : (folder + QLatin1Char('/')).toStdString();
    }
    g_left = bytes;
}

void FullDiskVfs::unlimit()
{
    g_left = -1;
}

std::int64_t FullDiskVfs::refusals()
{
    return g_refused.load();
}

} // namespace sb::test
