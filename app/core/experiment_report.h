#pragma once

// The numbers of an experiment's results as CSV, one row per variant, for
// spreadsheets and notebooks: raw counts next to the console's estimates,
// intervals and the comparison with control, so anyone can check them.
// (The PDF report, with charts and words, is drawn by the ui layer.)

#include "core/experiment_analysis.h"

#include <QString>

namespace sb {

// RFC 4180: comma-separated, CRLF line ends, fields quoted when needed.
QString resultsCsv(const Experiment &experiment, const ExperimentResults &results,
                   const Analysis &analysis);

} // namespace sb
