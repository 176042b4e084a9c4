#pragma once

// The command palette's index and matcher: every action and object the
// console can go to (pages, actions, routes, models, prompts, versions,
// experiments, profiles), matched as the user types.
//
// Matching is fuzzy, like a code editor's palette: each word of the query
// must appear in order inside the entry's text, not necessarily together
// ("dsbl atl" finds "Disable atlas-xl"), and letters that start words score
// most, so an acronym finds its entry ("nv" -> "New version"). Among equal
// matches, what the user chose recently comes first. QtCore only; the text is
// lower-cased and its word starts found once, when the entries are set, so a
// keystroke over thousands of entries is one pass of small integer work.

#include <QHash>
#include <QString>
#include <functional>
#include <vector>

namespace sb {

struct CommandEntry
{
    QString id;       // stable, for "recently used": "page:latency", "model:atlas-xl:disable"
    QString title;    // what the row says: "Disable atlas-xl"
    QString kind;     // "Page", "Action", "Route", "Model", "Prompt", ...
    QString detail;   // second line: "on chat, support · serving"
    QString shortcut; // "Ctrl+3", shown so using the palette teaches it
    QString keywords; // matched but not shown (e.g. a description)
    bool enabled = true;
    QString disabledWhy; // shown instead of running it
    std::function<void()> run;
};

struct CommandMatch
{
    int entry = -1;
    int score = 0;
    std::vector<int> titleHits; // positions in the title the query matched, for bold
};

class CommandIndex
{
public:
    void setEntries(std::vector<CommandEntry> entries);
    int size() const { return int(m_entries.size()); }
    const CommandEntry &entry(int i) const { return m_entries[size_t(i)]; }

    // id -> when it was last chosen (ms since epoch); nowMs ages them.
    void setRecent(QHash<QString, qint64> lastUsedMs, qint64 nowMs);

    // Best first, at most `limit`. An empty query lists recent choices
    // first, then everything in the order given.
    std::vector<CommandMatch> match(const QString &query, int limit = 50) const;

    // The score of one query word against prepared text, or -1 if it does not
    // match; hits (if given) receive the matched positions. Exposed for tests.
    static int scoreWord(const char16_t *word, int wordLen, const char16_t *text,
                         const quint8 *wordStart, int textLen, std::vector<int> *hits);

private:
    struct Prepared
    {
        std::u16string text;           // lower-cased title, then a space, then keywords/kind
        std::vector<quint8> wordStart; // 2 = start of the title, 1 = a word starts here
        int titleLen = 0;
    };

    int recencyBonus(const QString &id) const;

    std::vector<CommandEntry> m_entries;
    std::vector<Prepared> m_prepared;
    QHash<QString, qint64> m_recent;
    qint64 m_nowMs = 0;
    // The previous query and the entries it matched (typing only narrows).
    mutable QString m_lastQuery;
    mutable std::vector<int> m_lastCandidates;
};

} // namespace sb
