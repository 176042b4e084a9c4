#include "store/schema.h"

#include <sqlite3.h>
#include <string>

namespace sb::store {

namespace {

// Version 1. Every table is keyed by endpoint first so several services share
// one file without mixing. Lists keep the server's order in `position`.
// Nested parts are JSON text: they are only ever read back whole.
// Small fixed-size rows use WITHOUT ROWID (clustered on the key); rows holding
// free text of any size (templates, audit values) stay rowid tables, as the
// SQLite docs advise.
constexpr const char *kSchemaV1 = R"sql(
CREATE TABLE fetch_times (
    endpoint TEXT NOT NULL,
    kind TEXT NOT NULL,            -- 'prompts', 'experiments', 'routing', 'versions:<prompt>'
    fetched_ms INTEGER NOT NULL,
    PRIMARY KEY (endpoint, kind)
) WITHOUT ROWID;

CREATE TABLE prompts (
    endpoint TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    latest_version INTEGER NOT NULL,
    labels_json TEXT NOT NULL,
    etag TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (endpoint, name)
);

CREATE TABLE prompt_versions (
    endpoint TEXT NOT NULL,
    prompt_name TEXT NOT NULL,
    version INTEGER NOT NULL,
    template_text TEXT NOT NULL,
    model TEXT NOT NULL,
    params_json TEXT NOT NULL,
    variables_json TEXT NOT NULL,
    author TEXT NOT NULL,
    message TEXT NOT NULL,
    parent_version INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (endpoint, prompt_name, version)
);

CREATE TABLE experiments (
    endpoint TEXT NOT NULL,
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    state INTEGER NOT NULL,
    variants_json TEXT NOT NULL,
    primary_metric INTEGER NOT NULL,
    guardrails_json TEXT NOT NULL,
    etag TEXT NOT NULL,
    route TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    started_ms INTEGER NOT NULL,
    PRIMARY KEY (endpoint, id)
);

CREATE TABLE routing_tables (
    endpoint TEXT NOT NULL PRIMARY KEY,
    time_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE routes (
    endpoint TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    primary_model TEXT NOT NULL,
    fallbacks_json TEXT NOT NULL,
    recently_served_json TEXT NOT NULL,
    etag TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (endpoint, name)
) WITHOUT ROWID;

CREATE TABLE models (
    endpoint TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    enabled INTEGER NOT NULL,
    circuit INTEGER NOT NULL,
    cooldown_until_ms INTEGER NOT NULL,
    revert_ms INTEGER NOT NULL,
    etag TEXT NOT NULL,
    input_cost_per_1k REAL NOT NULL,
    output_cost_per_1k REAL NOT NULL,
    recent_error_rate REAL NOT NULL,
    PRIMARY KEY (endpoint, name)
) WITHOUT ROWID;

CREATE TABLE audit_events (
    endpoint TEXT NOT NULL,
    id TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    request_id TEXT NOT NULL,
    PRIMARY KEY (endpoint, id)
);
CREATE INDEX audit_events_by_time ON audit_events (endpoint, time_ms DESC, id DESC);

-- resolution is the rollup width in ms (1000 = per second).
CREATE TABLE latency_rollups (
    endpoint TEXT NOT NULL,
    route TEXT NOT NULL,
    resolution INTEGER NOT NULL,
    second_ms INTEGER NOT NULL,
    count INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    fallbacks INTEGER NOT NULL,
    p50 REAL,
    p95 REAL,
    p99 REAL,
    ttft_p50 REAL,
    PRIMARY KEY (endpoint, route, resolution, second_ms)
) WITHOUT ROWID;
)sql";

// Version 2: the console's own action log (core/local_action.h), next to the
// service's audit events and keyed the same way: endpoint first, then the
// write's request id, so recording a write's outcome again replaces its row.
// Free text of any size (reasons, conflict details): a rowid table.
constexpr const char *kSchemaV2 = R"sql(
CREATE TABLE local_actions (
    endpoint TEXT NOT NULL,
    request_id TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    target TEXT NOT NULL,
    title TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    revert_after_sec INTEGER NOT NULL,
    outcome TEXT NOT NULL,         -- 'applied', 'conflict', 'denied', 'failed'
    detail TEXT NOT NULL,
    audit_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    PRIMARY KEY (endpoint, request_id)
);
CREATE INDEX local_actions_by_time ON local_actions (endpoint, time_ms DESC, request_id DESC);
)sql";

// Version 3: the routing table's newer fields. Routes say who changed them
// last and whether the primary is bypassed ("force fallback") and until when;
// models say when and by whom `enabled` last changed.
// The routing rows cached before this version are dropped, not kept with
// defaults: they cannot say whether a route was forced to its fallbacks, and
// primary_bypassed = 0 would claim it was not, so offline a bypassed route
// would read as normal. The routing kind's fetch time goes with them, so the
// snapshot says "never cached" until the next fetch (prompts, experiments,
// audit, latency and the action log are kept). The deletes come first and
// the ALTERs after, all in this step's one transaction.
constexpr const char *kSchemaV3 = R"sql(
DELETE FROM routes;
DELETE FROM models;
DELETE FROM routing_tables;
DELETE FROM fetch_times WHERE kind = 'routing';
ALTER TABLE routes ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
ALTER TABLE routes ADD COLUMN primary_bypassed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE routes ADD COLUMN primary_bypass_revert_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE models ADD COLUMN updated_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE models ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
)sql";

// Version 4: the experiments arena's runs (core/arena_run.h): the input and
// variable values, each column's output and figures, blind or not, and the
// vote with whether its feedback reached the service. Keyed by endpoint and
// the comparison's request id, so a vote updates its run's row; listed per
// experiment, newest first. Free text of any size: a rowid table.
constexpr const char *kSchemaV4 = R"sql(
CREATE TABLE arena_runs (
    endpoint TEXT NOT NULL,
    request_id TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    experiment_id TEXT NOT NULL,
    experiment_name TEXT NOT NULL,
    input TEXT NOT NULL,
    variables_json TEXT NOT NULL,
    blind INTEGER NOT NULL,
    cancelled INTEGER NOT NULL,
    outputs_json TEXT NOT NULL,
    vote INTEGER NOT NULL,           -- 0 none, 1 prefer, 2 tie, 3 all bad
    preferred_variant TEXT NOT NULL,
    hallucinated_json TEXT NOT NULL,
    voted_ms INTEGER NOT NULL,
    feedback_status TEXT NOT NULL,
    PRIMARY KEY (endpoint, request_id)
);
CREATE INDEX arena_runs_by_time ON arena_runs (endpoint, experiment_id, time_ms DESC);
)sql";

// Version 5 (4 is the experiment arena's): series rollups with mergeable
// sketches. A series (endpoint, route, model, variant) is named once and
// referred to by its integer id; each rollup row is one series over one
// second (resolution 1000) or one minute (60000), holding counts and the
// serialized latency and TTFT sketches (NULL when empty), never quantiles, so
// minutes are merges of seconds and a route is the merge of its series.
// Keyed series first, so one series' range is one contiguous index range. A
// rowid table: sketches make rows of a few hundred bytes, more than WITHOUT
// ROWID suits.
constexpr const char *kSchemaV5 = R"sql(
CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    endpoint TEXT NOT NULL,
    route TEXT NOT NULL,
    model TEXT NOT NULL,
    variant TEXT NOT NULL,
    UNIQUE (endpoint, route, model, variant)
);
CREATE TABLE series_rollups (
    series INTEGER NOT NULL,
    resolution INTEGER NOT NULL,
    start_ms INTEGER NOT NULL,
    count INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    fallbacks INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    token_samples INTEGER NOT NULL,
    latency BLOB,
    ttft BLOB,
    PRIMARY KEY (series, resolution, start_ms)
);
)sql";

// v6: what the command palette's user chose, and when, so recent choices come
// first the next time (the user's, not an endpoint's: no endpoint column).
constexpr const char *kSchemaV6 = R"sql(
CREATE TABLE palette_recent (
    id TEXT PRIMARY KEY,
    used_ms INTEGER NOT NULL,
    uses INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX palette_recent_by_time ON palette_recent (used_ms);
)sql";

// v7: series rollups packed one row per series per minute (store/
// series_rollups_codec.h): display summaries beside lossless, compact
// sketches, so reading a day of seconds is 1,440 rows and no sketch decode.
// The v5 rows (one per second, sketches only) are dropped, not converted:
// converting needs the C++ codecs inside a migration, and at about 750 bytes
// a second they held at most a day or so; the console refills from now on.
constexpr const char *kSchemaV7 = R"sql(
DROP TABLE series_rollups;
CREATE TABLE series_chunks (
    series INTEGER NOT NULL,
    resolution INTEGER NOT NULL,   -- 1000 or 60000 (ms)
    start_ms INTEGER NOT NULL,     -- the minute the row covers
    summary BLOB NOT NULL,
    sketches BLOB NOT NULL,
    PRIMARY KEY (series, resolution, start_ms)
);
)sql";

// Version 8: the incident timeline (core/timeline_event.h), per endpoint,
// keyed by the event's id so one thing seen twice is one row. Free text, so
// a rowid table; read by time range.
constexpr const char *kSchemaV8 = R"sql(
CREATE TABLE events (
    endpoint TEXT NOT NULL,
    id TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,       -- 0 = a point
    kind TEXT NOT NULL,            -- kindName(): 'local-change', 'drill', 'note', ...
    actor TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    summary TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    PRIMARY KEY (endpoint, id)
);
CREATE INDEX events_by_time ON events (endpoint, time_ms);
)sql";

// Version 9: where imported history came from. The rollups of an import sit under the
// source's endpoint (e.g. "prometheus:<url>"); this says, per route, model,
// kind ('native' or 'classic' le buckets) and schema (-1000 for classic),
// which span was imported, the worst quantile bound and when.
constexpr const char *kSchemaV9 = R"sql(
CREATE TABLE imported_ranges (
    source TEXT NOT NULL,
    route TEXT NOT NULL,
    model TEXT NOT NULL,
    kind TEXT NOT NULL,
    schema INTEGER NOT NULL,
    from_ms INTEGER NOT NULL,
    to_ms INTEGER NOT NULL,
    relative_error REAL NOT NULL,
    imported_ms INTEGER NOT NULL,
    PRIMARY KEY (source, route, model, kind, schema)
) WITHOUT ROWID;
)sql";

// Version 10: series_chunks sketches may be Rice-coded (bucket layout 3 in a
// sketch's first byte, store/series_rollups_codec.h), and retention compacts
// 1 s rows older than a day (an empty sketches blob beside packed summaries,
// store/series_summary_pack.h). The tables are unchanged and rows of the
// older layouts (0-2) still decode; what changes is who may read the file. A
// build that knows only version 9 would take either for damaged bytes and
// draw history as gaps, so the version tells it the file is newer than
// itself (prepareDatabase's refusal) instead.
constexpr const char *kSchemaV10 = R"sql(
SELECT 1;
)sql";

// Version 11: the per-second sketches get a table of their own, keyed by
// the minute first (SeriesRollups::secondSketchesKey: minute * 2^24 +
// series), so its rows lie in time order and retention drops those older
// than a day as one key range, freeing whole pages; the seconds' summaries
// stay in series_chunks as they were written (packed, store/
// series_summary_pack.h), where shrinking rows in place left half-empty
// pages. A rowid table: each row is one series-minute of sketches (~12 KB).
// The v10 rows' sketches move here (compacted ones have none), so every row
// still reads; a minute's sketches stay beside its summary. A build that
// knows only version 10 would find no sketches for the seconds and refuses
// the file instead. Version 11 also marks Rice codes of the differences of
// neighbouring bucket counts (flag 0x80 on the Rice parameter byte, store/
// series_rollups_codec.h), which a busy minute's smooth counts favour.
constexpr const char *kSchemaV11 = R"sql(
CREATE TABLE series_second_sketches (
    id INTEGER PRIMARY KEY,        -- start_ms / 60000 * 16777216 + series
    sketches BLOB NOT NULL
);
INSERT INTO series_second_sketches (id, sketches)
    SELECT start_ms / 60000 * 16777216 + series, sketches FROM series_chunks
    WHERE resolution = 1000 AND length(sketches) > 0 ORDER BY start_ms, series;
UPDATE series_chunks SET sketches = x'' WHERE resolution = 1000 AND length(sketches) > 0;
)sql";

constexpr Migration kMigrations[] = {
    {1, kSchemaV1}, {2, kSchemaV2},   {3, kSchemaV3},   {4, kSchemaV4},
    {5, kSchemaV5}, {6, kSchemaV6},   {7, kSchemaV7},   {8, kSchemaV8},
    {9, kSchemaV9}, {10, kSchemaV10}, {11, kSchemaV11},
};

} // namespace

std::span<const Migration> migrations()
{
    return kMigrations;
}

int currentSchemaVersion()
{
    return kMigrations[std::size(kMigrations) - 1].toVersion;
}

void prepareDatabase(Database &db, std::span<const Migration> steps)
{
    sqlite3_busy_timeout(db.handle(), 5000);

    // SQLite quietly opens a write-protected file read-only; every save would
    // then fail, so say so once, up front.
    if (sqlite3_db_readonly(db.handle(), "main") == 1) {
        throw SchemaError(QStringLiteral("The cache file is read-only; check its permissions "
                                         "or choose another file."));
    }

    // Read-only checks first: a file we refuse must not be modified at all,
    // and switching to WAL would rewrite its header.
    const qint64 appId = db.queryInt("PRAGMA application_id");
    if (appId != 0 && appId != kApplicationId) {
        throw SchemaError(QStringLiteral("The file belongs to another application "
                                         "(application_id %1); it was left untouched.")
                              .arg(appId));
    }
    const int known = steps.empty() ? 0 : steps.back().toVersion;
    const qint64 version = db.queryInt("PRAGMA user_version");
    if (version > known) {
        throw SchemaError(QStringLiteral("The cache was written by a newer Switchboard (schema "
                                         "version %1; this build knows up to %2). It was left "
                                         "untouched; use a newer build or another cache file.")
                              .arg(version)
                              .arg(known));
    }

    // WAL: readers never block the writer, and a commit is one append to the
    // log. NORMAL: a commit survives a crash of the process (the log is
    // written before COMMIT returns); only an OS crash may lose the last ones.
    // A new file: 64 KiB pages (before anything is written). A 1 s row's
    // packed summaries (~1.4 KB) then waste ~1 % of a page, not a third of
    // a 4 KiB one (two fit where three nearly do).
    if (version == 0 && db.queryInt("PRAGMA page_count") == 0)
        db.exec("PRAGMA page_size=65536");
    db.queryInt("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=NORMAL");
    // A larger page cache keeps the latency table's interior pages resident
    // during bulk appends; mmap lets range reads skip a copy per page.
    db.exec("PRAGMA cache_size=-16384"); // KiB, i.e. 16 MiB
    db.exec("PRAGMA mmap_size=268435456");
    db.exec("PRAGMA temp_store=MEMORY");

    for (const Migration &step : steps) {
        if (version >= step.toVersion)
            continue;
        Transaction txn(db);
        // Re-read under the write lock: another console may have migrated meanwhile.
        if (db.queryInt("PRAGMA user_version") >= step.toVersion)
            continue;
        db.exec(step.sql);
        db.exec(("PRAGMA user_version=" + std::to_string(step.toVersion)).c_str());
        db.exec(("PRAGMA application_id=" + std::to_string(kApplicationId)).c_str());
        txn.commit();
    }
}

} // namespace sb::store
