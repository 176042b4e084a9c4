#pragma once

// Plausible text for Compare: tokens a model of each kind might stream for an
// input (chat replies, summaries, extractions, embedding notes), drawn from
// the sim's seeded generator.

#include "sim/util.h"

#include <string>
#include <vector>

namespace sb::sim {

enum class TextKind
{
    Chat,
    Summary,
    Extract,
    Embedding
};

// About `target` tokens (words with their spaces), starting from the input.
std::vector<std::string> generateTokens(Rng &rng, TextKind kind, const std::string &input,
                                        size_t target);

} // namespace sb::sim
