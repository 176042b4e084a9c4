#pragma once

// One convention for every number and time the console shows: latencies in
// ms below a second and s above, rates as percentages, times with their
// time zone so two people in an incident call read the same clock.

#include <QString>

namespace sb {

// "3 s ago", "5 min ago", "2 h 4 min ago", "4 d ago".
QString formatAge(qint64 ageMs);
// "2026-12-01 09:14:03 UTC" in local time with the zone's abbreviation; "—" for 0.
QString formatTime(qint64 ms);
// "09:14:03" for today, else formatTime; with the zone.
QString formatClock(qint64 ms);
// "840 ms", "1.24 s", "—" for a value <= 0 when emptyIfZero.
QString formatLatency(double ms, bool emptyIfZero = false);
// "12.5 %" (fraction 0..1); digits after the point.
QString formatPercent(double fraction, int digits = 1);
// "4 min 30 s", "1 h 5 min": a duration for countdowns.
QString formatDuration(qint64 ms);

} // namespace sb
