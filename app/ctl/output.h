#pragma once

// Output of switchboard-ctl: every command hands over records (JSON objects
// whose field names are part of the interface, see `help fields`) and a
// column list for the table. The format is -o table|json|yaml; without -o,
// a table on a terminal and JSON when piped. A table flattens lists and
// objects into one cell; JSON and YAML keep the structure.

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <functional>
#include <vector>

namespace sb::ctl {

enum class Format
{
    Table,
    Json,
    Yaml
};

// "table", "json", "yaml"; false for anything else.
bool parseFormat(const QString &text, Format *out);

struct Column
{
    QString field;  // key in the record
    QString header; // table header
    // How the table shows it, when not cellText(record[field]).
    std::function<QString(const QJsonObject &)> text = {};
};

// A whole answer: a list (records) under a top-level key, or one object.
QString renderTable(const QJsonArray &records, const std::vector<Column> &columns);
QString renderJson(const QJsonValue &value, bool compact = false);
QString renderYaml(const QJsonValue &value);

// One cell of a table: strings as they are, lists joined with ", ",
// objects as "k=v", booleans as yes/no, null as "-".
QString cellText(const QJsonValue &value);

} // namespace sb::ctl
