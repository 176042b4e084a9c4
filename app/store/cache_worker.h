#pragma once
// The cache's worker thread, its job queue and job kinds: private to
// app/store/cache*.cpp, which hold the Cache's entry points by capability
// (cache.cpp: the worker and the snapshot; cache_series.cpp: latency and
// series history; cache_logs.cpp: actions, audit, arena runs, palette,
// timeline events, imports).

#include "store/cache.h"
#include "store/cache_backend.h"

#include <QMetaObject>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace sb {

namespace cache_detail {

using store::CacheBackend;

// What a job is decides what happens to it at shutdown: writes are finished,
// reads and barriers are dropped (nobody is left to receive their result).
enum class JobKind
{
    Open,
    Configure, // connection settings (size limit): kept at shutdown like a write
    Write,
    Latency,
    Read
};

struct Job
{
    Job(JobKind k, std::function<void(CacheBackend &)> f) : kind(k), run(std::move(f)) {}
    Job(QString ep, QString r, std::vector<LatencyPoint> p)
        : kind(JobKind::Latency), endpoint(std::move(ep)), route(std::move(r)), points(std::move(p))
    {}

    JobKind kind;
    std::function<void(CacheBackend &)> run; // all kinds but Latency
    // Latency appends carry their data so consecutive ones can share a commit.
    QString endpoint;
    QString route;
    std::vector<LatencyPoint> points;
};

// PRAGMA synchronous=FULL for one commit, back to the file's NORMAL after it.
// Outside any transaction (SQLite ignores the pragma inside one).
class FullSync
{
public:
    explicit FullSync(store::Database &db) : m_db(db) { m_db.exec("PRAGMA synchronous=FULL"); }
    ~FullSync()
    {
        try {
            m_db.exec("PRAGMA synchronous=NORMAL");
        } catch (const store::SqliteError &) {
            // Only costs speed (later commits stay FULL); nothing to undo.
        }
    }
    FullSync(const FullSync &) = delete;
    FullSync &operator=(const FullSync &) = delete;

private:
    store::Database &m_db;
};

// Enough to amortise a commit, small enough to keep one transaction short.
constexpr std::size_t kMaxLatencyBatchPoints = 100000;

template <typename F> Job writeJob(F &&f)
{
    return Job(JobKind::Write, std::forward<F>(f));
}

} // namespace cache_detail

using cache_detail::CacheBackend;
using cache_detail::FullSync;
using cache_detail::Job;
using cache_detail::JobKind;
using cache_detail::kMaxLatencyBatchPoints;
using cache_detail::writeJob;

// Owns the worker thread, the queue and (on that thread) the connection. The
// Cache outlives it: ~Cache joins the thread before its QObject part goes, so
// a result posted to the Cache is either delivered or discarded by
// ~QObject, never run against a dead object.
class Cache::Worker
{
public:
    explicit Worker(Cache *owner) : m_owner(owner) {}

    ~Worker()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_one();
        if (m_thread.joinable())
            m_thread.join();
    }

    void enqueue(Job job)
    {
        {
            std::lock_guard lock(m_mutex);
            if (job.kind == JobKind::Open && !m_thread.joinable()) {
                // The first open() goes ahead of the calls made before it, which
                // were waiting for a file, and starts the worker.
                m_queue.push_front(std::move(job));
                m_thread = std::thread([this] { run(); });
            } else {
                m_queue.push_back(std::move(job));
            }
        }
        m_wake.notify_one();
    }

    // Posts a call to the Cache's thread. Skipped during shutdown: ~QObject
    // would discard it anyway.
    template <typename F> void post(F &&f)
    {
        if (stopping())
            return;
        QMetaObject::invokeMethod(m_owner, std::forward<F>(f), Qt::QueuedConnection);
    }

    Cache *owner() const { return m_owner; }

    bool stopping()
    {
        std::lock_guard lock(m_mutex);
        return m_stopping;
    }

    // Runs one save as one transaction; on any failure the transaction rolls
    // back whole and the user gets a message naming what was not saved.
    template <typename F>
    static void runWrite(CacheBackend &backend, Worker *worker, const QString &what, F &&write)
    {
        if (!backend.isOpen())
            return; // opened(false, ...) already told why; nothing to save into
        const std::optional<std::pair<int, QString>> failure = tryWrite(backend, write);
        if (!failure)
            return;
        const QString error =
            failure->first != 0
                ? QStringLiteral("Could not save %1 to the cache: %2 (%3). That change was not "
                                 "kept; everything saved before is intact.")
                      .arg(what, store::describeSqliteCode(failure->first), failure->second)
                : QStringLiteral("Could not save %1 to the cache: %2.").arg(what, failure->second);
        worker->post([cache = worker->owner(), error] { emit cache->writeFailed(error); });
    }

    // One transaction around write; nullopt once committed, else the SQLite
    // result code (0 if not from SQLite) and the error's text, rolled back.
    template <typename F>
    static std::optional<std::pair<int, QString>> tryWrite(CacheBackend &backend, F &&write)
    {
        try {
            store::Transaction txn(backend.db());
            write(backend);
            txn.commit();
            return std::nullopt;
        } catch (const store::SqliteError &e) {
            return std::make_pair(e.code(), QString::fromUtf8(e.what()));
        } catch (const std::exception &e) {
            return std::make_pair(0, QString::fromUtf8(e.what()));
        }
    }

    void runRecordAction(CacheBackend &backend, const QString &endpoint, const LocalAction &action)
    {
        const QString what = action.title.isEmpty() ? action.target : action.title;
        QString error;
        if (action.requestId.isEmpty()) {
            error = QStringLiteral("Could not record \"%1\" in the local action log: it has no "
                                   "request id.")
                        .arg(what);
        } else if (!backend.isOpen()) {
            error = QStringLiteral("Could not record \"%1\" in the local action log: %2")
                        .arg(what, m_openError.isEmpty() ? QStringLiteral("no cache file is open.")
                                                         : m_openError);
        } else {
            // A commit the user is told about must survive an OS crash or a
            // power cut too, not only the console's own crash: sync this one
            // (NORMAL, the default here, leaves the last commits in the OS).
            const std::optional<std::pair<int, QString>> failure =
                [&]() -> std::optional<std::pair<int, QString>> {
                try {
                    FullSync sync(backend.db());
                    return tryWrite(backend,
                                    [&](CacheBackend &b) { b.recordAction(endpoint, action); });
                } catch (const store::SqliteError &e) { // from the pragma itself
                    return std::make_pair(e.code(), QString::fromUtf8(e.what()));
                }
            }();
            if (failure) {
                error =
                    failure->first != 0
                        ? QStringLiteral("Could not record \"%1\" in the local action log: "
                                         "%2 (%3). Nothing of it was written; earlier entries "
                                         "are intact.")
                              .arg(what, store::describeSqliteCode(failure->first), failure->second)
                        : QStringLiteral("Could not record \"%1\" in the local action log: "
                                         "%2.")
                              .arg(what, failure->second);
            }
        }
        post([cache = m_owner, endpoint, id = action.requestId, error] {
            emit cache->actionRecorded(endpoint, id, error.isEmpty(), error);
        });
    }

    // Worker thread only: why the last open() failed, for recordAction's answer.
    void setOpenError(const QString &error) { m_openError = error; }

    void postReadFailed(const std::exception &e)
    {
        const auto *sqlite = dynamic_cast<const store::SqliteError *>(&e);
        const QString error =
            sqlite
                ? QStringLiteral("Could not read the cache: %1 (%2).")
                      .arg(store::describeSqliteCode(sqlite->code()), QString::fromUtf8(e.what()))
                : QStringLiteral("Could not read the cache: %1.").arg(QString::fromUtf8(e.what()));
        post([cache = m_owner, error] { emit cache->readFailed(error); });
    }

private:
    void run()
    {
        for (;;) {
            std::vector<Job> batch;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
                if (m_queue.empty())
                    return; // stopping and drained
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
                if (batch.front().kind == JobKind::Latency) {
                    std::size_t points = batch.front().points.size();
                    // Only the same endpoint's appends share a commit, so a
                    // failed group is one endpoint's and never takes another's
                    // points down with it.
                    while (!m_queue.empty() && m_queue.front().kind == JobKind::Latency &&
                           m_queue.front().endpoint == batch.front().endpoint &&
                           points < kMaxLatencyBatchPoints) {
                        points += m_queue.front().points.size();
                        batch.push_back(std::move(m_queue.front()));
                        m_queue.pop_front();
                    }
                }
                if (m_stopping && batch.front().kind == JobKind::Read)
                    continue;
            }
            if (batch.front().kind == JobKind::Latency)
                runLatency(batch);
            else
                batch.front().run(m_backend);
        }
    }

    void runLatency(const std::vector<Job> &batch)
    {
        runWrite(m_backend, this, QStringLiteral("latency history"), [&](CacheBackend &b) {
            for (const Job &job : batch)
                b.appendLatency(job.endpoint, job.route, job.points);
        });
    }

    Cache *const m_owner;
    QString m_openError; // worker thread only
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Job> m_queue;
    bool m_stopping = false;
    std::thread m_thread;
    CacheBackend m_backend; // touched only by m_thread
};

} // namespace sb
