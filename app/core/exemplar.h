#pragma once

// Exemplars: single slow requests with the trace they belong to (from OTLP
// data points' exemplars, or Prometheus' query_exemplars), so a p99 spike
// leads to the requests behind it. A trace link is built from a
// user-configured template in which "{trace_id}" is replaced.

#include <QString>
#include <vector>

namespace sb {

struct Exemplar
{
    qint64 timeMs = 0;
    double valueMs = 0;
    QString traceId; // lowercase hex, 32 digits when the sender followed W3C
    QString spanId;
    bool operator==(const Exemplar &) const = default;
};

// The exemplars in [fromMs, toMs) at or above minValueMs, slowest first.
std::vector<Exemplar> slowest(const std::vector<Exemplar> &all, qint64 fromMs, qint64 toMs,
                              double minValueMs);

// "{trace_id}" replaced by the id (percent-encoded); empty without a template.
QString traceLink(const QString &urlTemplate, const QString &traceId);

} // namespace sb
