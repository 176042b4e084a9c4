#pragma once

// ListView: one list command's records, printed once or, with --watch,
// printed and then streamed: every added, changed or removed record, as it
// arrives from the service's watch streams (a table line on a terminal,
// one JSON object a line otherwise), until Ctrl-C (exit 130).

#include "ctl/exit_codes.h"
#include "ctl/output.h"

#include <QJsonArray>
#include <functional>

namespace sb::ctl {

class Runtime;

struct ListView
{
    QString key;                // "routes": the JSON list's name
    QString singular;           // "route": the key of a --watch line's record
    QString idField = "name";   // what identifies a record between two looks
    QStringList volatileFields; // moving figures that are not "a change" under --watch
    std::vector<Column> columns;
    std::function<QJsonArray()> collect;
    std::function<qint64()> fetchedMs;
    // Lists without a watch stream (experiments, audit) ask again this often
    // under --watch, instead of the console's 30 s.
    std::function<void()> refresh = {};
    int refreshMs = 2000;
};

Exit showList(Runtime &rt, const ListView &view);

} // namespace sb::ctl
