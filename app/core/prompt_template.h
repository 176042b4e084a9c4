#pragma once

// Prompt templates: `{{name}}` placeholders, `{{{{` for a literal `{{`.
// Shared by the console (preview) and the sim (RenderPrompt) so both agree.
// A name is letters (any script), digits and `_`, with optional spaces inside
// the braces. A placeholder that is malformed (`{{a b}}`), unterminated, or
// interrupted by another `{{` before its `}}` is kept as literal text and
// reported; the scan resumes right after it, so one typo never swallows the
// placeholders that follow.

#include <QMap>
#include <QString>
#include <QStringList>

namespace sb {

struct RenderResult
{
    QString text;
    QStringList missing;   // required variables without a value
    QStringList defaulted; // variables that fell back to their default
    QString error;         // first malformed placeholder, empty when none
};

struct TemplateVariable
{
    QString name;
    bool required = false;
    QString defaultValue;
};

// Names used in a template, in order of first use, without duplicates.
// Sets *error (if given) to the first unterminated or malformed placeholder.
QStringList templateVariables(const QString &tpl, QString *error = nullptr);

// A value in `values` wins; otherwise a declared optional variable takes its
// default (listed in `defaulted`), and a required or undeclared one renders as
// its default (empty if none) and is listed in `missing`.
RenderResult renderTemplate(const QString &tpl, const QMap<QString, QString> &values,
                            const QList<TemplateVariable> &declared);

} // namespace sb
