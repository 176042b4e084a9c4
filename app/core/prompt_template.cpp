#include "core/prompt_template.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <kainjow/mustache.hpp>

namespace sb {

namespace km = kainjow::mustache;

namespace {

using Component = km::component<std::string>;

bool validSegment(QStringView n)
{
    if (n.isEmpty())
        return false;
    // Walk code points, not UTF-16 units: a letter outside the BMP is a
    // surrogate pair whose halves are not letters on their own.
    for (qsizetype i = 0; i < n.size(); ++i) {
        char32_t c = n[i].unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < n.size() && n[i + 1].isLowSurrogate()) {
            c = QChar::surrogateToUcs4(n[i], n[i + 1]);
            ++i;
        }
        if (!(QChar::isLetterOrNumber(c) || c == U'_'))
            return false;
    }
    return true;
}

bool validName(const QString &name, bool inSection)
{
    if (name == QLatin1String("."))
        return inSection;
    const auto parts = QStringView(name).split(QLatin1Char('.'));
    for (const auto &p : parts) {
        if (!validSegment(p))
            return false;
    }
    return true;
}

// UTF-8 byte offsets (what the parser reports) to UTF-16 offsets (what
// QString and the editor use). Offsets are asked for mostly in increasing
// order, so it walks on from the last answer.
class OffsetMap
{
public:
    explicit OffsetMap(const std::string &bytes) : m_bytes(bytes) {}

    qsizetype toUtf16(std::size_t byte)
    {
        byte = std::min(byte, m_bytes.size());
        if (byte < m_byte) {
            m_byte = 0;
            m_unit = 0;
        }
        for (; m_byte < byte; ++m_byte) {
            const auto b = static_cast<unsigned char>(m_bytes[m_byte]);
            if ((b & 0xC0) != 0x80)
                m_unit += b >= 0xF0 ? 2 : 1; // a 4-byte sequence is a surrogate pair
        }
        return m_unit;
    }

private:
    const std::string &m_bytes;
    std::size_t m_byte = 0;
    qsizetype m_unit = 0;
};

struct Walker
{
    const QString &text;
    OffsetMap &offsets;
    TemplateAnalysis &out;
    QSet<QString> top;
    QList<QPair<QString, QString>> inner; // (section, root name) in order

    void fail(const QString &what, qsizetype position)
    {
        if (!out.error.isEmpty())
            return;
        out.error = QStringLiteral("%1 at %2").arg(what, describePosition(text, position));
        out.errorPosition = position;
    }

    void visit(const Component &parent, const QString &section)
    {
        for (const Component &c : parent.children) {
            if (c.is_text())
                continue;
            TemplateTag tag;
            tag.name = QString::fromStdString(c.tag.name).trimmed();
            tag.position = offsets.toUtf16(c.position);
            tag.section = section;
            switch (c.tag.type) {
            case km::tag_type::variable:
            case km::tag_type::unescaped_variable:
                tag.kind = TemplateTag::Kind::Variable;
                break;
            case km::tag_type::section_begin:
                tag.kind = TemplateTag::Kind::Section;
                break;
            case km::tag_type::section_begin_inverted:
                tag.kind = TemplateTag::Kind::InvertedSection;
                break;
            case km::tag_type::comment:
                tag.kind = TemplateTag::Kind::Comment;
                tag.name.clear();
                break;
            case km::tag_type::set_delimiter:
                tag.kind = TemplateTag::Kind::SetDelimiter;
                tag.name.clear();
                break;
            case km::tag_type::partial:
                fail(QStringLiteral("partial \"%1\" (partials are not supported)").arg(tag.name),
                     tag.position);
                continue;
            default:
                continue;
            }
            out.tags.append(tag);
            const bool named = tag.kind == TemplateTag::Kind::Variable ||
                               tag.kind == TemplateTag::Kind::Section ||
                               tag.kind == TemplateTag::Kind::InvertedSection;
            if (named) {
                if (tag.name.isEmpty()) {
                    fail(QStringLiteral("empty tag"), tag.position);
                } else if (!validName(tag.name, !section.isEmpty())) {
                    fail(QStringLiteral("malformed name \"%1\"").arg(tag.name), tag.position);
                } else if (tag.name != QLatin1String(".")) {
                    const QString root = tag.name.section(QLatin1Char('.'), 0, 0);
                    if (section.isEmpty()) {
                        if (!top.contains(root)) {
                            top.insert(root);
                            out.variables << root;
                        }
                        if (tag.kind != TemplateTag::Kind::Variable && !out.sections.contains(root))
                            out.sections << root;
                    } else {
                        inner.append({section, root});
                    }
                }
            }
            if (tag.kind == TemplateTag::Kind::Section ||
                tag.kind == TemplateTag::Kind::InvertedSection)
                visit(c, tag.name.section(QLatin1Char('.'), 0, 0));
        }
    }
};

// A section's string value as Mustache data: empty is false, a JSON array
// or object is a list or object, anything else a (true) string.
km::data fromJson(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Array: {
        km::data list{km::data::type::list};
        for (const auto &item : v.toArray())
            list.push_back(fromJson(item));
        return list;
    }
    case QJsonValue::Object: {
        km::data obj{km::data::type::object};
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            obj.set(it.key().toStdString(), fromJson(it.value()));
        return obj;
    }
    case QJsonValue::Bool:
        return v.toBool() ? km::data{km::data::type::bool_true}
                          : km::data{km::data::type::bool_false};
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return km::data{km::data::type::bool_false};
    case QJsonValue::Double:
        return km::data{v.toVariant().toString().toStdString()};
    case QJsonValue::String:
        return km::data{v.toString().toStdString()};
    }
    return km::data{km::data::type::bool_false};
}

km::data sectionValue(const QString &value)
{
    const QString t = value.trimmed();
    if (t.isEmpty())
        return km::data{km::data::type::bool_false};
    if (t.startsWith(QLatin1Char('[')) || t.startsWith(QLatin1Char('{'))) {
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(t.toUtf8(), &err);
        if (err.error == QJsonParseError::NoError)
            return doc.isArray() ? fromJson(doc.array()) : fromJson(doc.object());
    }
    return km::data{value.toStdString()};
}

} // namespace

QString describePosition(const QString &text, qsizetype position)
{
    position = std::clamp<qsizetype>(position, 0, text.size());
    const QStringView before = QStringView(text).left(position);
    const qsizetype line = before.count(QLatin1Char('\n')) + 1;
    const qsizetype lineStart = before.lastIndexOf(QLatin1Char('\n')) + 1;
    return QStringLiteral("line %1, column %2").arg(line).arg(position - lineStart + 1);
}

TemplateAnalysis analyzeTemplate(const QString &tpl)
{
    TemplateAnalysis out;
    const std::string bytes = tpl.toStdString();
    OffsetMap offsets(bytes);
    km::context<std::string> ctx;
    km::context_internal<std::string> internal{ctx};
    Component root;
    std::string parseError;
    km::parser<std::string> parser{bytes, internal, root, parseError};
    if (!parseError.empty()) {
        // "Unclosed section \"x\" at 12": say where in words, and in characters.
        static const QRegularExpression at(QStringLiteral("^(.*) at (\\d+)$"));
        const QString msg = QString::fromStdString(parseError);
        const auto m = at.match(msg);
        if (m.hasMatch()) {
            const qsizetype pos = offsets.toUtf16(m.captured(2).toULongLong());
            QString what = m.captured(1);
            if (!what.isEmpty())
                what[0] = what[0].toLower();
            out.error = QStringLiteral("%1 at %2").arg(what, describePosition(tpl, pos));
            out.errorPosition = pos;
        } else {
            out.error = msg;
            out.errorPosition = 0;
        }
        return out;
    }
    Walker w{tpl, offsets, out, {}, {}};
    w.visit(root, {});
    for (const auto &[section, name] : w.inner) {
        if (!w.top.contains(name) && !out.fields[section].contains(name))
            out.fields[section] << name;
    }
    return out;
}

QStringList templateVariables(const QString &tpl, QString *error)
{
    TemplateAnalysis a = analyzeTemplate(tpl);
    if (error)
        *error = a.error;
    return a.variables;
}

RenderResult renderTemplate(const QString &tpl, const QMap<QString, QString> &values,
                            const QList<TemplateVariable> &declared)
{
    RenderResult r;
    const TemplateAnalysis a = analyzeTemplate(tpl);
    if (!a.ok()) {
        r.error = a.error;
        r.text = tpl;
        return r;
    }
    if (a.tags.isEmpty()) {
        r.text = tpl; // nothing to substitute, and no round trip through UTF-8
        return r;
    }
    km::data data{km::data::type::object};
    for (const QString &name : a.variables) {
        QString value;
        auto given = values.find(name);
        if (given != values.end()) {
            value = given.value();
        } else {
            const TemplateVariable *d = nullptr;
            for (const auto &v : declared) {
                if (v.name == name)
                    d = &v;
            }
            if (d && !d->required)
                r.defaulted << name;
            else
                r.missing << name;
            if (d)
                value = d->defaultValue;
        }
        if (a.sections.contains(name))
            data.set(name.toStdString(), sectionValue(value));
        else
            data.set(name.toStdString(), value.toStdString());
    }
    // Values for names used only inside sections still resolve there, as
    // Mustache looks names up the context stack.
    for (auto it = values.begin(); it != values.end(); ++it) {
        if (!a.variables.contains(it.key()))
            data.set(it.key().toStdString(), it.value().toStdString());
    }
    km::mustache m{tpl.toStdString()};
    m.set_custom_escape([](const std::string &s) { return s; });
    const std::string out = m.render(data);
    if (!m.is_valid()) {
        r.error = QString::fromStdString(m.error_message());
        r.text = tpl;
        return r;
    }
    r.text = QString::fromStdString(out);
    return r;
}

} // namespace sb
