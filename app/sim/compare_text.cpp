#include "sim/compare_text.h"

#include <cctype>

namespace sb::sim {

namespace {

std::vector<std::string> words(const std::string &s, size_t max)
{
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!cur.empty())
                out.push_back(cur);
            cur.clear();
            if (out.size() >= max)
                break;
        } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '\'') {
            cur += c;
        }
    }
    if (!cur.empty() && out.size() < max)
        out.push_back(cur);
    return out;
}

} // namespace

std::vector<std::string> generateTokens(Rng &rng, TextKind kind, const std::string &input,
                                        size_t target)
{
    static const std::vector<std::string> chat = {
        "Thanks for reaching out, and sorry for the trouble.",
        "I understand how frustrating this must be.",
        "Here is what I recommend as a first step.",
        "Please check that your account settings are up to date and sign in again.",
        "If the problem persists, I can escalate this to our specialist team today.",
        "You can also find step-by-step instructions in our help center.",
        "I have added a note to your ticket so nobody asks you to repeat yourself.",
        "Your data is safe; nothing was lost.",
        "The fix usually takes effect within a few minutes.",
        "Let me know if there is anything else I can help with."};
    static const std::vector<std::string> summary = {
        "The customer wants to finish their setup but is blocked by an error.",
        "They already tried restarting and reinstalling.",
        "The issue started after the latest update.",
        "Two colleagues are affected as well.",
        "They need a workaround before their deadline on Friday.",
        "Urgency: high.",
        "Decision: roll back the configuration change.",
        "Action items: support to reproduce, engineering to confirm the root cause."};
    std::vector<std::string> sentences;
    std::string text;
    const auto topic = words(input, 6);
    std::string topicText;
    for (const auto &w : topic)
        topicText += (topicText.empty() ? "" : " ") + w;
    switch (kind) {
    case TextKind::Embedding: {
        char buf[32];
        text = "[embedding, 1024 dims]";
        for (size_t i = 0; i < target; ++i) {
            std::snprintf(buf, sizeof buf, " %.4f", rng.normal() * 0.08);
            text += buf;
        }
        break;
    }
    case TextKind::Extract: {
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "{\"vendor\": \"%s\", \"invoice_number\": \"INV-%04llu\", \"date\": "
                      "\"2024-%02llu-%02llu\", \"total\": %.2f, \"currency\": \"%s\"}",
                      rng.chance(0.5) ? "Acme Supplies GmbH" : "Northwind Traders",
                      (unsigned long long)rng.below(10000), (unsigned long long)(1 + rng.below(12)),
                      (unsigned long long)(1 + rng.below(28)), 50 + rng.uniform() * 4000,
                      rng.chance(0.6) ? "EUR" : "USD");
        text = buf;
        break;
    }
    case TextKind::Summary:
    case TextKind::Chat: {
        const auto &bank = kind == TextKind::Chat ? chat : summary;
        if (!topicText.empty())
            text = kind == TextKind::Chat ? "About \"" + topicText + "\": "
                                          : "Summary of \"" + topicText + "\": ";
        size_t i = rng.below(bank.size());
        while (words(text, 10000).size() < target) {
            text += bank[i % bank.size()] + " ";
            i += 1 + rng.below(2);
        }
        break;
    }
    }
    // Tokens are words with their trailing space, so concatenating the deltas
    // gives back the text.
    std::vector<std::string> tokens;
    std::string cur;
    for (char c : text) {
        cur += c;
        if (c == ' ') {
            tokens.push_back(cur);
            cur.clear();
        }
    }
    if (!cur.empty())
        tokens.push_back(cur);
    while (!tokens.empty() && tokens.back() == " ")
        tokens.pop_back();
    if (!tokens.empty() && tokens.back().back() == ' ')
        tokens.back().pop_back();
    return tokens;
}

} // namespace sb::sim
