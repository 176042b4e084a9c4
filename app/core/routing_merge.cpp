#include "core/routing_merge.h"

#include <algorithm>

namespace sb {

template <class T> static void upsertByName(std::vector<T> &into, const T &item)
{
    auto it = std::lower_bound(into.begin(), into.end(), item.name,
                               [](const T &a, const QString &n) { return a.name < n; });
    if (it != into.end() && it->name == item.name) {
        *it = item;
        return;
    }
    // Not sorted (a service that does not order by name): replace by search.
    for (auto &old : into) {
        if (old.name == item.name) {
            old = item;
            return;
        }
    }
    into.insert(it, item);
}

void mergeRoutingChange(RoutingTable &table, const std::vector<Route> &routes,
                        const std::vector<Model> &models)
{
    for (const auto &r : routes) {
        // A change event's served shares are as of the event; keep ours when
        // it carries none, so the table does not blank out between polls.
        Route merged = r;
        if (merged.recentlyServed.empty()) {
            for (const auto &old : table.routes) {
                if (old.name == r.name)
                    merged.recentlyServed = old.recentlyServed;
            }
        }
        upsertByName(table.routes, merged);
    }
    for (const auto &m : models)
        upsertByName(table.models, m);
}

} // namespace sb
