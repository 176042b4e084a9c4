// Writes seed corpora for the fuzz targets other than latency_batch (which
// has its own generator): valid inputs of each format, so fuzzing starts past
// the first checks.
//
//   fuzz_seeds <corpus root>    (makes <root>/sketch, cache_codec, template, conflict, …)

#include "../support/deflated_summaries.h"
#include "client/profile_file.h"
#include "core/event_bundle.h"
#include "core/latency_sketch.h"
#include "otlp_request.h"
#include "replay/recording_file.h"
#include "store/codec.h"
#include "store/series_rollups_codec.h"
#include "store/series_summary_pack.h"
#include "switchboard/v1/common.pb.h"
#include "ui/prompts/version_draft.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

namespace fs = std::filesystem;

namespace {

void write(const fs::path &dir, int n, const std::string &bytes)
{
    fs::create_directories(dir);
    std::ofstream(dir / ("seed-" + std::to_string(n)), std::ios::binary) << bytes;
}

void write(const fs::path &dir, int n, const QByteArray &bytes)
{
    write(dir, n, bytes.toStdString());
}

void write(const fs::path &dir, int n, const QString &text)
{
    write(dir, n, text.toUtf8());
}

// A literal with its NULs (the template format separates values by them).
template <std::size_t N> std::string raw(const char (&s)[N])
{
    return std::string(s, N - 1);
}

void sketches(const fs::path &dir)
{
    int n = 0;
    write(dir, n++, sb::LatencySketch().serialize());
    sb::LatencySketch one;
    one.record(12.5);
    write(dir, n++, one.serialize());
    sb::LatencySketch wide;
    for (double v = 0.001; v < 1e6; v *= 1.7)
        wide.record(v);
    wide.record(0);
    write(dir, n++, wide.serialize());
    sb::LatencySketch fine(sb::LatencySketch::kMaxScale);
    for (int i = 1; i < 50; ++i)
        fine.record(100 + i * 0.01);
    write(dir, n++, fine.serialize());
    // Found by fuzzing: 2^64 - 1 zeros and nothing else. Merged twice, the
    // zero count wrapped and the merged sketch no longer deserialized.
    write(dir, n++,
          QByteArray::fromBase64(
              "AQAAAAb//////////////////////////wAAAAYAAAAAAAAAAAAAAAAALwAAAAAAAAAAAAA="));
}

// Chunk codec inputs start with the byte that picks what follows (see
// series_chunk_fuzz.cpp): 0 a sketch, 1 a sketches blob, 2 a summary blob,
// 3 a stored (maybe packed) summary blob.
// Sketches of each bucket layout: sparse, Rice, nibble, dense.
void chunks(const fs::path &dir)
{
    namespace codec = sb::store::rollup_codec;
    std::vector<sb::SeriesAggregate> seconds(4);
    for (int k = 0; k < 4; ++k) {
        auto &a = seconds[std::size_t(k)];
        const int n = k == 0 ? 3 : k == 1 ? 300 : k == 2 ? 2000 : 50'000;
        for (int i = 0; i < n; ++i) {
            const double v = 20.0 * std::exp(double(i % 97) / 40.0) + (k == 3 ? 0 : i % 5);
            ++a.count;
            a.latency.record(v);
            a.ttft.record(v / 4);
        }
        a.errors = a.count / 50;
    }
    int n = 0;
    QByteArray sketchBlob, summaryBlob;
    for (std::size_t i = 0; i < seconds.size(); ++i) {
        write(dir, n++, '\0' + codec::encodeSketch(seconds[i].latency).toStdString());
        QByteArray one;
        codec::appendSketches(one, seconds[i]);
        codec::appendEntry(sketchBlob, int(i * 7), one.constData(), one.size());
        one.clear();
        codec::appendSummary(one, sb::SeriesStore::summarize(0, 1000, seconds[i]));
        codec::appendEntry(summaryBlob, int(i * 7), one.constData(), one.size());
    }
    write(dir, n++, '\1' + sketchBlob.toStdString());
    write(dir, n++, '\2' + summaryBlob.toStdString());
    // 3: a stored summaries blob, packed (a second's row as written) and not.
    write(dir, n++, '\3' + codec::packSummaries(summaryBlob).toStdString());
    write(dir, n++, '\3' + summaryBlob.toStdString());
    // and in schema 10's deflate layout
    write(dir, n++, '\3' + sb::test::deflatedSummaries(summaryBlob).toStdString());
}

// Cache codec inputs start with the byte that picks the codec (see
// cache_codec_fuzz.cpp): 0 labels, 1 params, 2 variables, 3 variants,
// 4 metrics, 5 fallbacks, 6 served, 0xf0 the enum codes.
void codec(const fs::path &dir, int n, char which, const QString &text)
{
    write(dir, n, which + text.toUtf8().toStdString());
}

void codecs(const fs::path &dir)
{
    using namespace sb;
    int n = 0;
    codec(dir, n++, 0,
          store::encodeLabels(
              {{QStringLiteral("production"), 3, 1700000000000, QStringLiteral("otto")}}));
    ModelParams p;
    p.temperature = 0.7;
    p.maxOutputTokens = 256;
    codec(dir, n++, 1, store::encodeParams(p));
    codec(
        dir, n++, 2,
        store::encodeVariables({{QStringLiteral("user"), QStringLiteral("who"), true, QString()}}));
    Variant v;
    v.name = QStringLiteral("a");
    v.model = QStringLiteral("atlas-xl");
    v.promptVersion = 2;
    v.weight = 50;
    v.params = p;
    codec(dir, n++, 3, store::encodeVariants({v, v}));
    codec(dir, n++, 4, store::encodeMetrics({Metric::Latency, Metric::Cost}));
    FallbackStep f;
    f.model = QStringLiteral("mistral");
    f.enabled = true;
    codec(dir, n++, 5, store::encodeFallbacks({f}));
    ServedShare s;
    s.model = QStringLiteral("atlas-xl");
    s.fraction = 0.9;
    s.fraction10s = 0.8;
    s.reason = ServedReason::Fallback;
    codec(dir, n++, 6, store::encodeServed({s}));
    write(dir, n++, raw("\xf0\0\0\0\0\0\0\0\2"));
}

void templates(const fs::path &dir)
{
    int n = 0;
    write(dir, n++, std::string("Hello {{user.name}}, summarise {{{text}}}."));
    write(dir, n++,
          raw("{{#examples}}Q: {{input}}\nA: {{output}}\n{{/examples}}"
              "{{^examples}}none{{/examples}}{{! note }}\0"
              "examples=[{\"input\":\"1\",\"output\":\"2\"}]"));
    write(dir, n++, raw("{{=<% %>=}}<% a %> {{literal}}\0a=x"));
    write(dir, n++, std::string("{{#open}}never closed"));
}

void conflicts(const fs::path &dir)
{
    namespace v1 = switchboard::v1;
    int n = 0;
    v1::Conflict c;
    c.set_current_etag("e7");
    c.set_updated_by("otto");
    c.mutable_update_time()->set_seconds(1700000000);
    auto *route = c.mutable_route();
    route->set_name("chat");
    route->set_primary_model("atlas-xl");
    write(dir, n++, c.SerializeAsString());
    auto *prompt = c.mutable_prompt();
    prompt->set_name("summarize");
    auto *label = prompt->add_labels();
    label->set_name("production");
    label->set_version(3);
    write(dir, n++, c.SerializeAsString());
    c.mutable_model()->set_name("atlas-xl");
    write(dir, n++, c.SerializeAsString());
    c.mutable_experiment()->set_name("tone");
    write(dir, n++, c.SerializeAsString());
    // The update_time that overflowed convert::toMs (now saturated).
    c.mutable_update_time()->set_seconds(std::numeric_limits<int64_t>::max());
    write(dir, n++, c.SerializeAsString());
}

} // namespace

// OTLP requests: the first byte picks metrics (even) or traces (odd).
void otlp(const fs::path &dir)
{
    using namespace sb::otlp::test;
    int n = 0;
    const uint64_t t = 1'700'000'000'000'000'000ULL;
    for (bool cumulative : {false, true}) {
        cmv::ExportMetricsServiceRequest req;
        auto *sm = resource(req, "checkout", "pod-1");
        ExpPoint p;
        p.scale = 4;
        p.offset = 120;
        p.counts = {3, 0, 7, 1};
        p.zero = 1;
        p.sum = 12.5;
        p.startNs = t - 1'000'000'000ULL;
        p.timeNs = t;
        auto *dp = expHistogram(sm, "gen_ai.client.operation.duration", "s", cumulative, p);
        auto *e = dp->add_exemplars();
        e->set_as_double(1.5);
        e->set_time_unix_nano(t);
        e->set_trace_id(std::string(16, '\x4b'));
        p.errorType = "timeout";
        expHistogram(sm, "gen_ai.client.operation.duration", "ms", cumulative, p);
        auto *m = sm->add_metrics();
        m->set_name("gen_ai.client.token.usage");
        auto *h = m->mutable_histogram();
        h->set_aggregation_temporality(mp::AGGREGATION_TEMPORALITY_DELTA);
        auto *hp = h->add_data_points();
        attr(hp->mutable_attributes(), "gen_ai.token.type", "output");
        hp->set_time_unix_nano(t);
        hp->set_count(2);
        hp->set_sum(40);
        hp->add_explicit_bounds(10);
        hp->add_bucket_counts(0);
        hp->add_bucket_counts(2);
        write(dir, n++, std::string(1, '\0') + req.SerializeAsString());
    }
    ctv::ExportTraceServiceRequest treq;
    auto *rs = treq.add_resource_spans();
    attr(rs->mutable_resource()->mutable_attributes(), "service.name", "tracer");
    auto *sp = rs->add_scope_spans()->add_spans();
    attr(sp->mutable_attributes(), "gen_ai.operation.name", "chat");
    sp->set_start_time_unix_nano(t - 5'000'000);
    sp->set_end_time_unix_nano(t);
    write(dir, n++, std::string(1, '\1') + treq.SerializeAsString());
}

void prometheus(const fs::path &dir)
{
    int n = 0;
    write(dir, n++,
          std::string(R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":)"
                      R"({"route":"chat"},"histograms":[[1700000060,{"count":"10.5","sum":"3.2",)"
                      R"("buckets":[[3,"-1e-128","1e-128","0.5"],[0,"1","1.0905077326652577",)"
                      R"("4.25"],[0,"1.189207115002721","1.2968395546510096","5.75"]]}]]}]}})"));
    write(dir, n++,
          std::string(R"({"status":"error","errorType":"bad_data","error":"parse error"})"));
    write(dir, n++,
          std::string(R"({"status":"success","data":[{"seriesLabels":{"route":"chat"},)"
                      R"("exemplars":[{"labels":{"trace_id":"4bf9"},"value":"2.5",)"
                      R"("timestamp":1700000000.5}]}]})"));
    write(dir, n++,
          std::string(
              R"({"status":"success","data":{"resultType":"matrix","result":[)"
              R"({"metric":{"route":"chat","le":"0.25"},"values":[[60,"2"],[120,"1.5"]]},)"
              R"({"metric":{"route":"chat","le":"+Inf"},"values":[[60,"7.5"],[120,"3"]]}]}})"));
}

void bundles(const fs::path &dir)
{
    int n = 0;
    sb::EventBundle b;
    b.origin = QStringLiteral("sim");
    b.fromMs = 1700000000000;
    b.toMs = 1700000090000;
    write(dir, n++, sb::encodeBundle(b));
    sb::Drill d{QStringLiteral("d1"),  QStringLiteral("atlas-xl"),
                sb::DrillKind::Outage, 0,
                1700000000000,         1700000060000};
    b.events.push_back(sb::eventFromDrill(d, QStringLiteral("alice"), QStringLiteral("local")));
    b.events.push_back(sb::noteEvent(QStringLiteral("pool exhausted"), 1700000010000, 1700000020000,
                                     QStringLiteral("bob")));
    b.events.push_back(sb::gapEvent(1700000030000, 1700000040000, QStringLiteral("lost")));
    write(dir, n++, sb::encodeBundle(b));
}

void profiles(const fs::path &dir)
{
    sb::ConnectionProfile plain;
    plain.name = QStringLiteral("local");
    plain.endpoint = QStringLiteral("localhost:50051");
    sb::ConnectionProfile prod;
    prod.name = QStringLiteral("prod");
    prod.endpoint = QStringLiteral("[::1]:443");
    prod.environment = sb::Environment::Prod;
    prod.tls = true;
    prod.caFile = QStringLiteral("/ca.pem");
    prod.clientCertFile = QStringLiteral("/me.pem");
    prod.clientKeyFile = QStringLiteral("/me.key");
    prod.tokenSource = sb::ConnectionProfile::TokenSource::Environment;
    prod.tokenVariable = QStringLiteral("SB_TOKEN");
    prod.metadata = {{QStringLiteral("x-team"), QStringLiteral("core")}};
    sb::ConnectionProfile kc = plain;
    kc.name = QStringLiteral("kc");
    kc.tokenSource = sb::ConnectionProfile::TokenSource::Keychain;
    int n = 0;
    write(dir, n++, sb::profile_file::write({}));
    write(dir, n++, sb::profile_file::write({plain}));
    write(dir, n++, sb::profile_file::write({plain, prod, kc}));
    write(dir, n++,
          std::string(R"({"format":"switchboard-profiles","version":1,"profiles":)"
                      R"([{"name":"x","endpoint":"h:1","token":"t","colour":1}]})"));
}

void drafts(const fs::path &dir)
{
    sb::VersionDraft d;
    write(dir, 0, d.toJson());
    d.prompt = QStringLiteral("greeting");
    d.parentVersion = 3;
    d.expectedEtag = QStringLiteral("e-7");
    d.templateText = QStringLiteral("Hello {{name}}");
    d.model = QStringLiteral("gpt-x");
    d.params.temperature = 0.7;
    d.params.topP = 0.9;
    d.params.maxOutputTokens = 256;
    d.variables.push_back(
        {QStringLiteral("name"), QStringLiteral("who"), true, QStringLiteral("you")});
    d.message = QStringLiteral("friendlier");
    d.newPrompt = true;
    d.description = QStringLiteral("says hello");
    d.savedMs = 1700000000000;
    write(dir, 1, d.toJson());
    // Found by this target: numbers no integer field can hold (undefined
    // behaviour when converted) must read as absent, not crash.
    write(dir, 2,
          std::string(R"({"prompt":"p","parent":1e300,"max_output_tokens":-256,)"
                      R"("saved":-1e300})"));
}

void labelHistory(const fs::path &dir)
{
    write(dir, 0,
          std::string("a-1\t1000\tann\tlabel.move\tprompt/p\t\tproduction -> 1\tfirst\n"
                      "a-2\t2000\tbob\tlabel.move\tprompt/p\tproduction -> 1\t"
                      "production → v2\tbetter\n"
                      "a-3\t3000\tcy\tlabel.move\tprompt/p\tv2\tproduction: 3\t\n"
                      "a-3\t3000\tcy\tlabel.move\tprompt/p\tv2\tproduction: 3\t\n"
                      "a-4\t3000\tdi\tprompt.create\tprompt/q\t\t1\t"));
}

void recordings(const fs::path &dir)
{
    sb::replay::Recording r;
    r.startedMs = 1'700'000'000'000;
    r.writer = "switchboard 0.1.0";
    int n = 0;
    write(dir, n++, sb::replay::encodeRecording(r));
    r.messages.push_back({1200, 1, "/switchboard.v1.RoutingService/WatchRouting", "", "\x08\x01"});
    r.messages.push_back(
        {2500, 2, "/switchboard.v1.TelemetryService/StreamLatency", "", "\x08\x01\x12\x01x"});
    r.messages.push_back({2600, 1, "/switchboard.v1.RoutingService/WatchRouting", "", "\x08\x02"});
    const std::string whole = sb::replay::encodeRecording(r);
    write(dir, n++, whole);
    write(dir, n++, whole.substr(0, whole.size() - 3)); // cut off while recording
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    const fs::path root = argv[1];
    sketches(root / "sketch");
    chunks(root / "series_chunk");
    codecs(root / "cache_codec");
    templates(root / "template");
    conflicts(root / "conflict");
    otlp(root / "otlp_decode");
    prometheus(root / "prom_parse");
    bundles(root / "event_bundle");
    profiles(root / "profile_file");
    drafts(root / "version_draft");
    labelHistory(root / "label_history");
    recordings(root / "recording");
    return 0;
}
