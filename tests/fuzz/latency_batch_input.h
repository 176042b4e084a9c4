#pragma once

// The fuzz input format, shared by the fuzzer and its seed generator: one
// flags byte (bit 0: also run the per-route aggregation), then up to 16
// batches, each a little-endian u16 length and that many bytes of a
// serialized StreamLatencyResponse. The fuzzer's clock is fixed at kNowMs, so
// inputs are reproducible and seeds can be made valid.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sb::fuzz {

inline constexpr int64_t kNowMs = 1'700'000'000'000;
inline constexpr std::size_t kMaxBatches = 16;

inline std::vector<std::pair<const uint8_t *, std::size_t>> splitBatches(const uint8_t *data,
                                                                         std::size_t size)
{
    std::vector<std::pair<const uint8_t *, std::size_t>> out;
    std::size_t at = 1;
    while (at + 2 <= size && out.size() < kMaxBatches) {
        const std::size_t len = std::size_t(data[at]) | std::size_t(data[at + 1]) << 8;
        at += 2;
        const std::size_t n = len < size - at ? len : size - at;
        out.emplace_back(data + at, n);
        at += n;
    }
    return out;
}

inline std::string joinBatches(uint8_t flags, const std::vector<std::string> &batches)
{
    std::string out(1, char(flags));
    for (const auto &b : batches) {
        const std::size_t n = b.size() > 0xffff ? 0xffff : b.size();
        out.push_back(char(n & 0xff));
        out.push_back(char(n >> 8));
        out.append(b, 0, n);
    }
    return out;
}

} // namespace sb::fuzz
