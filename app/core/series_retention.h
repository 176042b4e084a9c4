#pragma once

// How long latency history is kept, as the user says it: three parts,
// "SECONDS,MINUTES,CAP", e.g. "7d,90d,2GiB" (the defaults): per-second rows
// kept 7 days, per-minute rows 90 days, and all rollup rows within 2 GiB
// (the oldest seconds go first; "0" for no cap). Durations take s, m, h or d;
// the cap MiB or GiB. Kept in QSettings under "history/retention" (no
// secrets); the console's --history-retention sets it.

#include "core/series_rollup.h"

#include <QString>
#include <optional>

class QSettings;

namespace sb {

// nullopt with a sentence for the user in *error when the spec is not valid.
std::optional<SeriesRetention> parseRetention(const QString &spec, QString *error);
QString retentionSpec(const SeriesRetention &retention);

// The saved choice, or the defaults when none (or a damaged one) is saved.
SeriesRetention loadRetention(QSettings &settings);
void saveRetention(QSettings &settings, const SeriesRetention &retention);

} // namespace sb
