#pragma once

namespace sb {

class MainWindow;

// --startup-report: one line on stdout when `window` is first painted
// ("switchboard: startup painted") and one when it first paints after the
// latency page received live seconds from the stream ("switchboard: startup
// live"). tests/bench/start_bench times them from the process's start.
void reportStartup(MainWindow *window);

} // namespace sb
