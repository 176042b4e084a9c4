// Writes seed corpora for the fuzz targets other than latency_batch (which
// has its own generator): valid inputs of each format, so fuzzing starts past
// the first checks.
//
//   fuzz_seeds <corpus root>    (makes <root>/sketch, cache_codec, template, conflict)

#include "core/latency_sketch.h"
#include "store/codec.h"
#include "switchboard/v1/common.pb.h"

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

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    const fs::path root = argv[1];
    sketches(root / "sketch");
    codecs(root / "cache_codec");
    templates(root / "template");
    conflicts(root / "conflict");
    return 0;
}
