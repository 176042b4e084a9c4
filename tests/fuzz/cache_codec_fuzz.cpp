// libFuzzer target: the cache's codecs (store/codec.h), which read the JSON
// columns of rows from a file on disk that may be damaged, truncated, from an
// older build or edited by hand. Each decoder (the input's first byte picks
// one) takes any text, UTF-8 or UTF-16, and gives back
// defaults for what it cannot read; what it does read encodes to text that
// decodes to the same encoding again (one round trip reaches a fixed point),
// and every enum code maps to a value that maps back to a known code.

#include "fuzz_require.h"
#include "store/codec.h"

#include <algorithm>

using sb::fuzz::require;
namespace st = sb::store;

namespace {

// decode → encode → decode → encode: the two encodings agree.
template <typename Decode, typename Encode>
void roundTrip(const QString &text, Decode decode, Encode encode, const char *what)
{
    const QString once = encode(decode(text));
    require(encode(decode(once)) == once, what);
}

// The first byte picks a codec (or the enum codes) and how the rest is read
// as text, so each run spends its time in one decoder.
void oneCodec(unsigned choice, const QString &text)
{
    switch (choice % 7) {
    case 0:
        return roundTrip(text, st::decodeLabels, st::encodeLabels, "labels round trip");
    case 1:
        return roundTrip(text, st::decodeParams, st::encodeParams, "params round trip");
    case 2:
        return roundTrip(text, st::decodeVariables, st::encodeVariables, "variables round trip");
    case 3:
        return roundTrip(text, st::decodeVariants, st::encodeVariants, "variants round trip");
    case 4:
        return roundTrip(text, st::decodeMetrics, st::encodeMetrics, "metrics round trip");
    case 5:
        return roundTrip(text, st::decodeFallbacks, st::encodeFallbacks, "fallbacks round trip");
    default:
        return roundTrip(text, st::decodeServed, st::encodeServed, "served round trip");
    }
}

void enumCodes(const uint8_t *data, size_t size)
{
    qint64 code = 0;
    for (size_t i = 0; i < std::min<size_t>(size, 8); ++i)
        code = qint64(quint64(code) << 8 | data[i]);
    const auto state = st::experimentStateFromCode(code);
    require(st::experimentStateFromCode(st::experimentStateCode(state)) == state, "state code");
    const auto metric = st::metricFromCode(code);
    require(st::metricFromCode(st::metricCode(metric)) == metric, "metric code");
    const auto circuit = st::circuitFromCode(code);
    require(st::circuitFromCode(st::circuitCode(circuit)) == circuit, "circuit code");
    const auto reason = st::servedReasonFromCode(code);
    require(st::servedReasonFromCode(st::servedReasonCode(reason)) == reason, "reason code");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const unsigned choice = data[0];
    ++data;
    --size;
    if (choice >= 0xf0)
        enumCodes(data, size);
    else if (choice & 0x80) // UTF-16, so that odd code units reach the parser too
        oneCodec(choice, QString(reinterpret_cast<const QChar *>(data), qsizetype(size / 2)));
    else
        oneCodec(choice, QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size)));
    return 0;
}
