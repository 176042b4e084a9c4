#pragma once

// Conversions between domain values and their stored form: JSON text for the
// nested parts of a row (labels, variables, params, variants, fallback chain,
// served shares), and fixed integer codes for enums. The codes are written here explicitly,
// not taken from the enums' order, so reordering an enum in core cannot change
// the meaning of existing cache files. Unknown codes and malformed JSON decode
// to defaults instead of failing: the cache is advisory, the server is truth.

#include "core/arena_run.h"
#include "core/types.h"

#include <QString>
#include <vector>

namespace sb::store {

QString encodeLabels(const std::vector<PromptLabel> &labels);
std::vector<PromptLabel> decodeLabels(const QString &json);

QString encodeParams(const ModelParams &params);
ModelParams decodeParams(const QString &json);

QString encodeVariables(const std::vector<PromptVariable> &variables);
std::vector<PromptVariable> decodeVariables(const QString &json);

QString encodeVariants(const std::vector<Variant> &variants);
std::vector<Variant> decodeVariants(const QString &json);

QString encodeMetrics(const std::vector<Metric> &metrics);
std::vector<Metric> decodeMetrics(const QString &json);

QString encodeFallbacks(const std::vector<FallbackStep> &steps);
std::vector<FallbackStep> decodeFallbacks(const QString &json);

QString encodeServed(const std::vector<ServedShare> &shares);
std::vector<ServedShare> decodeServed(const QString &json);

QString encodeStringMap(const QMap<QString, QString> &map);
QMap<QString, QString> decodeStringMap(const QString &json);
QString encodeStringList(const QStringList &list);
QStringList decodeStringList(const QString &json);
QString encodeArenaOutputs(const std::vector<ArenaOutput> &outputs);
std::vector<ArenaOutput> decodeArenaOutputs(const QString &json);
int arenaVoteCode(ArenaVote vote);
ArenaVote arenaVoteFromCode(qint64 code);

int experimentStateCode(ExperimentState state);
ExperimentState experimentStateFromCode(qint64 code);
int metricCode(Metric metric);
Metric metricFromCode(qint64 code);
int circuitCode(CircuitState state);
CircuitState circuitFromCode(qint64 code);
int servedReasonCode(ServedReason reason);
ServedReason servedReasonFromCode(qint64 code);

} // namespace sb::store
