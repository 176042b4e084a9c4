#pragma once

// Helpers for store tests: sample values of every domain type, and blocking
// waits on the Cache's signals that spin a local event loop (the Cache
// delivers results as queued calls on its own thread).

#include "store/cache.h"

#include <QString>
#include <QStringList>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace sb::test {

Prompt samplePrompt(int i);
PromptVersion sampleVersion(const QString &prompt, quint32 version);
Experiment sampleExperiment(int i);
RoutingTable sampleRouting(int routes);
AuditEvent sampleAudit(int i, qint64 timeMs);
LatencyPoint samplePoint(qint64 secondMs);
LocalAction sampleAction(int i, qint64 timeMs);
bool samePoint(const LatencyPoint &a, const LatencyPoint &b);

// How many fields an aggregate has: the most initializers T{...} accepts. A
// round-trip test checks this against the fields it sets, so a field added to
// a domain type later fails it until the store persists it too.
struct AnyField
{
    template <typename T> operator T() const; // never defined: only looked at
};
template <typename T, std::size_t... I> constexpr bool initializableWith(std::index_sequence<I...>)
{
    return requires
    {
        T{(void(I), AnyField{})...};
    };
}
template <typename T, std::size_t N = 0> constexpr std::size_t fieldCount()
{
    if constexpr (initializableWith<T>(std::make_index_sequence<N + 1>{}))
        return fieldCount<T, N + 1>();
    else
        return N;
}

// Each returns nullopt on timeout.
std::optional<std::pair<bool, QString>> openAndWait(Cache &cache, const QString &path);
bool flushAndWait(Cache &cache);

// The loads; each result also says which endpoint (and route) it was for.
std::optional<CacheSnapshot> loadSnapshot(Cache &cache, const QString &endpoint);
struct LatencyResult
{
    QString endpoint;
    QString route;
    std::vector<LatencyPoint> points;
};
std::optional<LatencyResult> loadLatency(Cache &cache, const QString &endpoint,
                                         const QString &route, qint64 fromMs, qint64 toMs);
std::optional<std::pair<QString, std::vector<AuditEvent>>>
loadAudit(Cache &cache, const QString &endpoint, qint64 sinceMs = 0, int limit = 1000);

std::optional<std::vector<SeriesPoint>> loadSeries(Cache &cache, const SeriesQuery &query);
std::optional<TimedSketches> loadSeriesSketches(Cache &cache, const SeriesQuery &query);
std::optional<SeriesPruneResult> pruneSeries(Cache &cache, const SeriesRetention &retention,
                                             qint64 nowMs);

struct ActionRecorded
{
    QString endpoint;
    QString requestId;
    bool ok = false;
    QString error;
};
std::optional<ActionRecorded> recordAction(Cache &cache, const QString &endpoint,
                                           const LocalAction &action);
std::optional<std::pair<QString, std::vector<LocalAction>>>
loadActions(Cache &cache, const QString &endpoint, qint64 sinceMs = 0, int limit = 1000);

// Collects writeFailed messages for the lifetime of the recorder.
class WriteFailures
{
public:
    explicit WriteFailures(Cache &cache);
    ~WriteFailures();
    WriteFailures(const WriteFailures &) = delete;
    WriteFailures &operator=(const WriteFailures &) = delete;
    const QStringList &messages() const { return m_messages; }

private:
    QStringList m_messages;
    QMetaObject::Connection m_connection;
};

// First column of the first row, straight from the file with a separate
// connection (what another process would see).
QString queryFile(const QString &path, const QString &sql);

// The child side of the crash test (see crash_test.cpp).
int runCrashChild(const QString &path);

} // namespace sb::test
