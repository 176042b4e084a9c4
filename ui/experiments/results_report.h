#pragma once

// The shareable report of an experiment's results: a PDF with the decision
// in plain words, the split check, the per-variant table and the comparison
// with control, this console's vote ranking, the three charts and the
// methods paragraph; and next to it a CSV of the numbers
// (core/experiment_report.h). Written from what the results view shows.

#include <QString>

namespace sb {

class ResultsController;
class ResultsCharts;

// Writes `pdfPath` and the CSV beside it (same name, .csv). Returns "" on
// success, else what went wrong, in words.
QString exportResults(const QString &pdfPath, const ResultsController &results,
                      ResultsCharts *charts);

} // namespace sb
