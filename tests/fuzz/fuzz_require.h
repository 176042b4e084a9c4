#pragma once

// An invariant a fuzz target checks: when it breaks, abort so libFuzzer
// saves the input as a crash.

#include <cstdio>
#include <cstdlib>

namespace sb::fuzz {

inline void require(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "invariant broken: %s\n", what);
        std::abort();
    }
}

} // namespace sb::fuzz
