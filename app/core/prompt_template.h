#pragma once

// Prompt templates: `{{name}}` placeholders, `{{{{` for a literal `{{`.
// Shared by the console (preview) and the sim (RenderPrompt) so both agree.

#include <QMap>
#include <QString>
#include <QStringList>

namespace sb {

struct RenderResult
{
    QString text;
    QStringList missing;   // required variables without a value
    QStringList defaulted; // variables that fell back to their default
};

struct TemplateVariable
{
    QString name;
    bool required = false;
    QString defaultValue;
};

// Names used in a template, in order of first use, without duplicates.
// Sets *error (if given) on an unterminated or malformed placeholder.
QStringList templateVariables(const QString &tpl, QString *error = nullptr);

RenderResult renderTemplate(const QString &tpl, const QMap<QString, QString> &values,
                            const QList<TemplateVariable> &declared);

} // namespace sb
