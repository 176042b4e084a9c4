#pragma once

// Applying what the routing watch says changed to the table the console
// holds: changed routes and models replace theirs by name; ones not known yet
// are added (a route created after the snapshot), keeping name order.

#include "core/types.h"

namespace sb {

void mergeRoutingChange(RoutingTable &table, const std::vector<Route> &routes,
                        const std::vector<Model> &models);

} // namespace sb
