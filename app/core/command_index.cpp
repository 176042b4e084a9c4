#include "core/command_index.h"

#include <algorithm>
#include <climits>

namespace sb {

namespace {

// Per-position flags of prepared text.
constexpr quint8 kWordStart = 1;
constexpr quint8 kTextStart = 2;
constexpr quint8 kOutsideTitle = 4; // kind and keywords: matched, worth less

constexpr int kNone = INT_MIN / 4;
constexpr int kMatch = 16;
constexpr int kWordStartBonus = 24;
constexpr int kTextStartBonus = 32;
constexpr int kConsecutiveBonus = 20;
constexpr int kGapPenalty = 1;
constexpr int kLeadPenaltyMax = 10;
constexpr int kOutsidePenalty = 10;

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber();
}

// Appends `s` lower-cased, marking where words start: after a separator, at
// a lower->upper case change ("atlasXl") and at a letter->digit change.
void appendPrepared(std::u16string &text, std::vector<quint8> &flags, const QString &s,
                    quint8 extra)
{
    QChar before;
    for (qsizetype i = 0; i < s.size(); ++i) {
        const QChar c = s.at(i);
        quint8 f = extra;
        if (isWordChar(c)) {
            if (i == 0 || !isWordChar(before) || (before.isLower() && c.isUpper()) ||
                (before.isLetter() && c.isDigit()))
                f |= kWordStart;
        }
        text.push_back(char16_t(c.toLower().unicode()));
        flags.push_back(f);
        before = c;
    }
}

int positionBonus(quint8 f)
{
    int b = 0;
    if (f & kTextStart)
        b += kTextStartBonus;
    else if (f & kWordStart)
        b += kWordStartBonus;
    if (f & kOutsideTitle)
        b -= kOutsidePenalty;
    return b;
}

} // namespace

void CommandIndex::setEntries(std::vector<CommandEntry> entries)
{
    m_entries = std::move(entries);
    m_lastQuery.clear();
    m_lastCandidates.clear();
    m_prepared.clear();
    m_prepared.reserve(m_entries.size());
    for (const auto &e : m_entries) {
        Prepared p;
        appendPrepared(p.text, p.wordStart, e.title, 0);
        if (!p.wordStart.empty())
            p.wordStart[0] |= kTextStart;
        p.titleLen = int(p.text.size());
        const QString rest = e.kind + QLatin1Char(' ') + e.keywords;
        p.text.push_back(u' ');
        p.wordStart.push_back(kOutsideTitle);
        appendPrepared(p.text, p.wordStart, rest, kOutsideTitle);
        m_prepared.push_back(std::move(p));
    }
}

void CommandIndex::setRecent(QHash<QString, qint64> lastUsedMs, qint64 nowMs)
{
    m_recent = std::move(lastUsedMs);
    m_nowMs = nowMs;
}

int CommandIndex::recencyBonus(const QString &id) const
{
    const auto it = m_recent.constFind(id);
    if (it == m_recent.constEnd())
        return 0;
    const qint64 age = m_nowMs - it.value();
    constexpr qint64 kHour = 3600 * 1000;
    if (age < kHour)
        return 60;
    if (age < 24 * kHour)
        return 45;
    if (age < 7 * 24 * kHour)
        return 30;
    return 15;
}

int CommandIndex::scoreWord(const char16_t *word, int wordLen, const char16_t *text,
                            const quint8 *flags, int textLen, std::vector<int> *hits)
{
    if (wordLen == 0)
        return 0;
    if (wordLen > textLen)
        return -1;
    // Most entries fail a query: a greedy in-order scan says so in one pass.
    {
        int i = 0;
        for (int j = 0; j < textLen && i < wordLen; ++j)
            i += text[j] == word[i] ? 1 : 0;
        if (i < wordLen)
            return -1;
    }
    // best[i][j]: the best score of word[0..i] with word[i] matched at text[j].
    // Rows are kept only when the hits are wanted (to walk back). The buffer
    // is reused: a keystroke scores thousands of entries.
    thread_local std::vector<int> rows;
    const size_t need = size_t(hits ? wordLen : 2) * size_t(textLen);
    if (rows.size() < need)
        rows.resize(need);
    auto row = [&](int i) { return rows.data() + size_t(hits ? i : i % 2) * size_t(textLen); };

    for (int i = 0; i < wordLen; ++i) {
        int *cur = row(i);
        const int *prev = i > 0 ? row(i - 1) : nullptr;
        int run = kNone; // max over k <= j-2 of prev[k] - gap * (j-1-k)
        for (int j = 0; j < textLen; ++j) {
            if (prev && j >= 2)
                run = std::max(run - kGapPenalty, prev[j - 2] - kGapPenalty);
            if (text[j] != word[i]) {
                cur[j] = kNone;
                continue;
            }
            int from;
            if (!prev) {
                from = -std::min(j, kLeadPenaltyMax);
            } else {
                from = run;
                if (j >= 1 && prev[j - 1] > kNone)
                    from = std::max(from, prev[j - 1] + kConsecutiveBonus);
            }
            cur[j] = from > kNone / 2 ? from + kMatch + positionBonus(flags[j]) : kNone;
        }
    }
    const int *last = row(wordLen - 1);
    int bestJ = -1;
    for (int j = 0; j < textLen; ++j) {
        if (last[j] > kNone / 2 && (bestJ < 0 || last[j] > last[bestJ]))
            bestJ = j;
    }
    if (bestJ < 0)
        return -1;
    const int score = last[bestJ];
    if (hits) {
        int j = bestJ;
        for (int i = wordLen - 1; i >= 0; --i) {
            hits->push_back(j);
            if (i == 0)
                break;
            const int *prev = row(i - 1);
            const int want = row(i)[j] - kMatch - positionBonus(flags[j]);
            int k = -1;
            if (j >= 1 && prev[j - 1] > kNone && prev[j - 1] + kConsecutiveBonus == want) {
                k = j - 1;
            } else {
                for (int c = j - 2; c >= 0; --c) {
                    if (prev[c] > kNone / 2 && prev[c] - kGapPenalty * (j - 1 - c) == want) {
                        k = c;
                        break;
                    }
                }
            }
            if (k < 0)
                break; // cannot happen: the score came from somewhere
            j = k;
        }
    }
    return score;
}

std::vector<CommandMatch> CommandIndex::match(const QString &query, int limit) const
{
    std::vector<CommandMatch> out;
    const QString q = query.trimmed().toLower();
    if (q.isEmpty()) {
        out.reserve(m_entries.size());
        for (int i = 0; i < size(); ++i)
            out.push_back({i, recencyBonus(m_entries[size_t(i)].id), {}});
        std::stable_sort(out.begin(), out.end(), [&](const CommandMatch &a, const CommandMatch &b) {
            const auto ra = m_recent.value(m_entries[size_t(a.entry)].id, -1);
            const auto rb = m_recent.value(m_entries[size_t(b.entry)].id, -1);
            return ra > rb;
        });
        if (int(out.size()) > limit)
            out.resize(size_t(limit));
        return out;
    }
    std::vector<std::u16string> words;
    for (const auto &w : q.split(QLatin1Char(' '), Qt::SkipEmptyParts))
        words.emplace_back(reinterpret_cast<const char16_t *>(w.utf16()), size_t(w.size()));

    // Typing narrows: when this query only adds letters to the previous one's
    // words, nothing the previous one rejected can match now.
    // (Words are all required, so longer words or more words only reject more.)
    const bool narrows = !m_lastQuery.isEmpty() && q.startsWith(m_lastQuery);
    std::vector<int> candidates;
    if (narrows) {
        candidates = m_lastCandidates;
    } else {
        candidates.resize(m_entries.size());
        for (int i = 0; i < size(); ++i)
            candidates[size_t(i)] = i;
    }
    std::vector<int> matched;
    matched.reserve(candidates.size());
    for (const int i : candidates) {
        const Prepared &p = m_prepared[size_t(i)];
        int total = 0;
        bool all = true;
        for (const auto &w : words) {
            const int s = scoreWord(w.data(), int(w.size()), p.text.data(), p.wordStart.data(),
                                    int(p.text.size()), nullptr);
            if (s < 0) {
                all = false;
                break;
            }
            total += s;
        }
        if (!all)
            continue;
        matched.push_back(i);
        // Shorter titles win ties: "Latency" before "Latency heatmap".
        total += recencyBonus(m_entries[size_t(i)].id) - p.titleLen / 8;
        out.push_back({i, total, {}});
    }
    m_lastQuery = q;
    m_lastCandidates = std::move(matched);
    std::stable_sort(out.begin(), out.end(), [](const CommandMatch &a, const CommandMatch &b) {
        return a.score > b.score;
    });
    if (int(out.size()) > limit)
        out.resize(size_t(limit));
    // Bold letters only for what is shown.
    for (auto &m : out) {
        const Prepared &p = m_prepared[size_t(m.entry)];
        for (const auto &w : words) {
            std::vector<int> hits;
            scoreWord(w.data(), int(w.size()), p.text.data(), p.wordStart.data(),
                      int(p.text.size()), &hits);
            for (int h : hits) {
                if (h < p.titleLen)
                    m.titleHits.push_back(h);
            }
        }
        std::sort(m.titleHits.begin(), m.titleHits.end());
        m.titleHits.erase(std::unique(m.titleHits.begin(), m.titleHits.end()), m.titleHits.end());
    }
    return out;
}

} // namespace sb
