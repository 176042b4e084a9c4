// The command palette's matcher over 5,000 entries (DESIGN.md: filtering
// 5,000 entries <= 16 ms a keystroke). Types a few queries letter by letter
// and reports the median and worst time per keystroke, against a baseline
// measured in the same run: a plain case-insensitive substring filter over
// the same titles (what a QSortFilterProxyModel's fixed-string filter does),
// which finds far less but costs one pass. Also: building the index (what
// opening the palette pays).
//
//   build/tests/bench/palette_bench [entries]

#include "core/command_index.h"

#include <QStringList>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace {

std::vector<sb::CommandEntry> fleet(int n)
{
    const QStringList verbs = {QStringLiteral("Disable"), QStringLiteral("Enable"),
                               QStringLiteral("Open"), QStringLiteral("Force fallback on")};
    const QStringList kinds = {QStringLiteral("Route"), QStringLiteral("Model"),
                               QStringLiteral("Prompt"), QStringLiteral("Version"),
                               QStringLiteral("Experiment")};
    const QStringList words = {QStringLiteral("atlas"),   QStringLiteral("nova"),
                               QStringLiteral("support"), QStringLiteral("invoice"),
                               QStringLiteral("summary"), QStringLiteral("extract"),
                               QStringLiteral("chat"),    QStringLiteral("ticket"),
                               QStringLiteral("refund"),  QStringLiteral("search")};
    std::vector<sb::CommandEntry> out;
    out.reserve(size_t(n));
    for (int i = 0; i < n; ++i) {
        sb::CommandEntry e;
        const QString name = words[i % words.size()] + QLatin1Char('-') +
                             words[(i / 10) % words.size()] + QLatin1Char('-') + QString::number(i);
        e.kind = kinds[i % kinds.size()];
        e.title = verbs[(i / 3) % verbs.size()] + QLatin1Char(' ') + name;
        e.id = e.kind + QLatin1Char(':') + name;
        e.detail = QStringLiteral("on route %1").arg(words[(i / 7) % words.size()]);
        e.keywords = QStringLiteral("team %1 region eu-west").arg(i % 17);
        out.push_back(std::move(e));
    }
    return out;
}

struct Stats
{
    double medianMs = 0, worstMs = 0;
};

template <class F> Stats perKeystroke(const QStringList &queries, int rounds, F filter)
{
    std::vector<double> times;
    for (int r = 0; r < rounds; ++r) {
        for (const QString &q : queries) {
            for (qsizetype len = 1; len <= q.size(); ++len) {
                const QString typed = q.left(len);
                const auto t0 = Clock::now();
                filter(typed);
                times.push_back(
                    std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            }
        }
    }
    std::sort(times.begin(), times.end());
    return {times[times.size() / 2], times.back()};
}

} // namespace

int main(int argc, char **argv)
{
    const int n = argc > 1 ? std::max(1, atoi(argv[1])) : 5000;
    auto entries = fleet(n);
    const QStringList queries = {QStringLiteral("disable atlas"), QStringLiteral("dsbl nv"),
                                 QStringLiteral("open invoice refund 42"), QStringLiteral("ffo")};

    sb::CommandIndex index;
    const auto b0 = Clock::now();
    index.setEntries(entries);
    const double buildMs = std::chrono::duration<double, std::milli>(Clock::now() - b0).count();

    QStringList titles;
    for (const auto &e : entries)
        titles << e.title;

    size_t found = 0, baselineFound = 0;
    const Stats fuzzy =
        perKeystroke(queries, 5, [&](const QString &q) { found += index.match(q, 50).size(); });
    const Stats plain = perKeystroke(queries, 5, [&](const QString &q) {
        int hits = 0;
        for (const QString &t : titles)
            hits += t.contains(q, Qt::CaseInsensitive) ? 1 : 0;
        baselineFound += size_t(hits);
    });

    std::printf("palette_bench: %d entries, %lld keystrokes per filter\n", n,
                static_cast<long long>(5 * (13 + 7 + 22 + 3)));
    std::printf("  build index (palette open):        %8.2f ms\n", buildMs);
    std::printf("  fuzzy match per keystroke:  median %8.3f ms, worst %8.3f ms (target <= 16 ms)\n",
                fuzzy.medianMs, fuzzy.worstMs);
    std::printf("  baseline substring filter:  median %8.3f ms, worst %8.3f ms\n", plain.medianMs,
                plain.worstMs);
    std::printf("  ratio fuzzy / substring (median):  %8.2f x\n",
                plain.medianMs > 0 ? fuzzy.medianMs / plain.medianMs : 0.0);
    std::printf("  (matches returned: fuzzy %zu, substring %zu)\n", found, baselineFound);
    return 0;
}
