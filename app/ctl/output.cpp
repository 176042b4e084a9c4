#include "ctl/output.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>

namespace sb::ctl {

bool parseFormat(const QString &text, Format *out)
{
    if (text == QLatin1String("table"))
        *out = Format::Table;
    else if (text == QLatin1String("json"))
        *out = Format::Json;
    else if (text == QLatin1String("yaml"))
        *out = Format::Yaml;
    else
        return false;
    return true;
}

QString cellText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return QStringLiteral("-");
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (d == double(qint64(d)))
            return QString::number(qint64(d));
        // Latencies in ms read as 22310, not 2.231e+04.
        return std::abs(d) >= 100 ? QString::number(d, 'f', 0) : QString::number(d, 'g', 4);
    }
    case QJsonValue::String:
        return v.toString().isEmpty() ? QStringLiteral("-") : v.toString();
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue &x : v.toArray())
            parts << cellText(x);
        return parts.isEmpty() ? QStringLiteral("-") : parts.join(QStringLiteral(", "));
    }
    case QJsonValue::Object: {
        QStringList parts;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            parts << QStringLiteral("%1=%2").arg(it.key(), cellText(it.value()));
        return parts.join(QLatin1Char(' '));
    }
    }
    return {};
}

QString renderTable(const QJsonArray &records, const std::vector<Column> &columns)
{
    std::vector<qsizetype> width(columns.size());
    std::vector<QStringList> rows;
    for (std::size_t c = 0; c < columns.size(); ++c)
        width[c] = columns[c].header.size();
    for (const QJsonValue &r : records) {
        QStringList row;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const QJsonObject o = r.toObject();
            QString t = columns[c].text ? columns[c].text(o) : cellText(o.value(columns[c].field));
            t.replace(QLatin1Char('\n'), QLatin1Char(' '));
            width[c] = std::max(width[c], t.size());
            row << t;
        }
        rows.push_back(row);
    }
    auto line = [&](const QStringList &cells) {
        QString out;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const bool last = c + 1 == columns.size();
            out += last ? cells[qsizetype(c)] : cells[qsizetype(c)].leftJustified(width[c] + 2);
        }
        return out + QLatin1Char('\n');
    };
    QStringList headers;
    for (const auto &c : columns)
        headers << c.header;
    QString out = line(headers);
    for (const auto &r : rows)
        out += line(r);
    return out;
}

QString renderJson(const QJsonValue &value, bool compact)
{
    const auto fmt = compact ? QJsonDocument::Compact : QJsonDocument::Indented;
    QByteArray bytes;
    if (value.isObject())
        bytes = QJsonDocument(value.toObject()).toJson(fmt);
    else if (value.isArray())
        bytes = QJsonDocument(value.toArray()).toJson(fmt);
    else
        bytes = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    QString s = QString::fromUtf8(bytes);
    if (!s.endsWith(QLatin1Char('\n')))
        s += QLatin1Char('\n');
    return s;
}

// A scalar as YAML: plain when it cannot be mistaken for something else,
// else double-quoted JSON style (which YAML accepts).
static QString yamlScalar(const QJsonValue &v)
{
    if (v.isNull() || v.isUndefined())
        return QStringLiteral("null");
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isDouble())
        return cellText(v);
    const QString s = v.toString();
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z_/][A-Za-z0-9_./@ -]*$"));
    static const QStringList reserved = {"true", "false", "yes", "no", "null", "on", "off", "~"};
    if (plain.match(s).hasMatch() && !s.endsWith(QLatin1Char(' ')) &&
        !reserved.contains(s.toLower()))
        return s;
    return renderJson(QJsonValue(s), true).trimmed();
}

static void yamlInto(QString &out, const QJsonValue &v, int indent);

static void yamlObject(QString &out, const QJsonObject &o, int indent)
{
    const QString pad(indent, QLatin1Char(' '));
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QJsonValue x = it.value();
        const bool nested =
            (x.isObject() && !x.toObject().isEmpty()) || (x.isArray() && !x.toArray().isEmpty());
        out += pad + it.key() + QLatin1Char(':');
        if (nested) {
            out += QLatin1Char('\n');
            yamlInto(out, x, indent + 2);
        } else if (x.isArray()) {
            out += QStringLiteral(" []\n");
        } else if (x.isObject()) {
            out += QStringLiteral(" {}\n");
        } else {
            out += QLatin1Char(' ') + yamlScalar(x) + QLatin1Char('\n');
        }
    }
}

static void yamlInto(QString &out, const QJsonValue &v, int indent)
{
    const QString pad(indent, QLatin1Char(' '));
    if (v.isObject()) {
        yamlObject(out, v.toObject(), indent);
    } else if (v.isArray()) {
        for (const QJsonValue &x : v.toArray()) {
            if (x.isObject() && !x.toObject().isEmpty()) {
                // "- first: 1\n  second: 2"
                QString inner;
                yamlObject(inner, x.toObject(), indent + 2);
                out += pad + QStringLiteral("- ") + inner.mid(indent + 2);
            } else if (x.isArray() && !x.toArray().isEmpty()) {
                out += pad + QStringLiteral("-\n");
                yamlInto(out, x, indent + 2);
            } else {
                out += pad + QStringLiteral("- ") + yamlScalar(x) + QLatin1Char('\n');
            }
        }
    } else {
        out += pad + yamlScalar(v) + QLatin1Char('\n');
    }
}

QString renderYaml(const QJsonValue &value)
{
    QString out;
    if (value.isArray() && value.toArray().isEmpty())
        return QStringLiteral("[]\n");
    yamlInto(out, value, 0);
    return out;
}

} // namespace sb::ctl
