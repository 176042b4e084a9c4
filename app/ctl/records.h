#pragma once

// The records switchboard-ctl prints: each domain value as a JSON object
// with stable snake_case field names (documented in `help fields` and the
// man page; renaming one breaks scripts). Times are ISO 8601 UTC strings,
// null when unknown; shares and rates are fractions (0..1); latencies ms.

#include "core/experiment_analysis.h"
#include "core/label_history.h"
#include "core/series_store.h"
#include "core/types.h"
#include "ctl/output.h"
#include "ui/audit/audit_model.h"

#include <QJsonObject>

namespace sb::ctl {

QJsonValue isoTime(qint64 ms);

QJsonObject routeRecord(const Route &r);
QJsonObject modelRecord(const Model &m);
QJsonObject promptRecord(const Prompt &p);
QJsonObject versionRecord(const Prompt &p, const PromptVersion &v);
QJsonObject experimentRecord(const Experiment &e);
QJsonObject variantResultRecord(const Experiment &e, const Variant &v,
                                const ExperimentResults &results, const Analysis &analysis);
QJsonObject auditRecord(const AuditModel::Row &row);
QJsonObject drillRecord(const Drill &d);
QJsonObject latencyRecord(const QString &route, const SeriesPoint &p);

std::vector<Column> routeColumns();
std::vector<Column> modelColumns();
std::vector<Column> promptColumns();
std::vector<Column> versionColumns();
std::vector<Column> experimentColumns();
std::vector<Column> resultColumns();
std::vector<Column> auditColumns();
std::vector<Column> drillColumns();
std::vector<Column> latencyColumns();

// The field reference for `help fields`.
QString fieldsHelp();

} // namespace sb::ctl
