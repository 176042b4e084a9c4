#include "ui/prompts/version_draft.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <limits>

namespace sb {

namespace {

// A JSON number as an integer of type T, or nullopt when it is not one T can
// hold (a hand-edited or damaged settings file: converting an out-of-range
// double is undefined behaviour).
template <class T> std::optional<T> integer(const QJsonValue &v)
{
    const double d = v.toDouble();
    if (!v.isDouble() || !(d >= double(std::numeric_limits<T>::min())) ||
        !(d < double(std::numeric_limits<T>::max())))
        return std::nullopt;
    return T(d);
}

} // namespace

PromptVersion VersionDraft::toVersion() const
{
    PromptVersion v;
    v.promptName = prompt;
    v.parentVersion = parentVersion;
    v.templateText = templateText;
    v.model = model;
    v.params = params;
    v.variables = variables;
    v.message = message;
    return v;
}

VersionDraft VersionDraft::from(const PromptVersion &v, const QString &etag)
{
    VersionDraft d;
    d.prompt = v.promptName;
    d.parentVersion = v.version;
    d.expectedEtag = etag;
    d.templateText = v.templateText;
    d.model = v.model;
    d.params = v.params;
    d.variables = v.variables;
    return d;
}

QByteArray VersionDraft::toJson() const
{
    QJsonObject o;
    o[QStringLiteral("prompt")] = prompt;
    o[QStringLiteral("parent")] = double(parentVersion);
    o[QStringLiteral("etag")] = expectedEtag;
    o[QStringLiteral("template")] = templateText;
    o[QStringLiteral("model")] = model;
    if (params.temperature)
        o[QStringLiteral("temperature")] = *params.temperature;
    if (params.topP)
        o[QStringLiteral("top_p")] = *params.topP;
    if (params.maxOutputTokens)
        o[QStringLiteral("max_output_tokens")] = double(*params.maxOutputTokens);
    QJsonArray vars;
    for (const auto &v : variables) {
        QJsonObject j;
        j[QStringLiteral("name")] = v.name;
        j[QStringLiteral("description")] = v.description;
        j[QStringLiteral("required")] = v.required;
        j[QStringLiteral("default")] = v.defaultValue;
        vars.append(j);
    }
    o[QStringLiteral("variables")] = vars;
    o[QStringLiteral("message")] = message;
    if (newPrompt)
        o[QStringLiteral("new_prompt")] = true;
    if (!description.isEmpty())
        o[QStringLiteral("prompt_description")] = description;
    o[QStringLiteral("saved")] = double(savedMs);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<VersionDraft> VersionDraft::fromJson(const QByteArray &json, bool requireName)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    VersionDraft d;
    d.prompt = o.value(QStringLiteral("prompt")).toString();
    if (d.prompt.isEmpty() && requireName)
        return std::nullopt;
    d.parentVersion = integer<quint32>(o.value(QStringLiteral("parent"))).value_or(0);
    d.expectedEtag = o.value(QStringLiteral("etag")).toString();
    d.templateText = o.value(QStringLiteral("template")).toString();
    d.model = o.value(QStringLiteral("model")).toString();
    if (o.contains(QStringLiteral("temperature")))
        d.params.temperature = o.value(QStringLiteral("temperature")).toDouble();
    if (o.contains(QStringLiteral("top_p")))
        d.params.topP = o.value(QStringLiteral("top_p")).toDouble();
    d.params.maxOutputTokens = integer<quint32>(o.value(QStringLiteral("max_output_tokens")));
    for (const auto &v : o.value(QStringLiteral("variables")).toArray()) {
        const QJsonObject j = v.toObject();
        d.variables.push_back({j.value(QStringLiteral("name")).toString(),
                               j.value(QStringLiteral("description")).toString(),
                               j.value(QStringLiteral("required")).toBool(),
                               j.value(QStringLiteral("default")).toString()});
    }
    d.message = o.value(QStringLiteral("message")).toString();
    d.newPrompt = o.value(QStringLiteral("new_prompt")).toBool();
    d.description = o.value(QStringLiteral("prompt_description")).toString();
    d.savedMs = integer<qint64>(o.value(QStringLiteral("saved"))).value_or(0);
    return d;
}

} // namespace sb
