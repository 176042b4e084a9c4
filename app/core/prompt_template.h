#pragma once

// Prompt templates are Mustache (mustache(5)), parsed and rendered by
// kainjow::mustache with HTML escaping off (prompts are not HTML). Shared by
// the console (the editor's warnings and live preview) and the sim
// (validation and RenderPrompt), so both agree on every template.
//
// What the language gives a prompt: `{{name}}` (and `{{{name}}}`, `{{&name}}`,
// identical here since nothing is escaped), sections `{{#name}}…{{/name}}`
// shown when the value is non-empty and repeated over a list, inverted
// sections `{{^name}}…{{/name}}` shown when it is empty, comments `{{! …}}`,
// and a set-delimiter tag (`{{=<% %>=}}`) for a literal `{{`. Partials are
// refused: a prompt is one self-contained text.
//
// Variables are the names used outside any section (and the sections' own
// names): those are what a version must declare. A name used only inside a
// section is a field of the section's items (`{{#examples}}{{input}}{{/examples}}`)
// unless it is also used at the top. Values are strings; a section's value
// that is a JSON array (of objects) or object is used as such, so a few-shot
// list can come in through the same string map. An empty value is false.
//
// A name is letters (any script), digits and `_`, optionally dotted
// (`user.name`, whose variable is `user`), or `.` inside a section.
//
// Known gap: kainjow 4.1 removes the lines of a shown section's standalone
// tags, as the spec says, but leaves one empty line where a skipped
// section's standalone tags stood. Text is UTF-8 inside the library, so an
// unpaired surrogate becomes '?' (a template without tags is returned as is).

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace sb {

struct RenderResult
{
    QString text;
    QStringList missing;   // required (or undeclared) variables without a value
    QStringList defaulted; // variables that fell back to their default
    QString error;         // the template's first syntax error; text is then the template itself
};

struct TemplateVariable
{
    QString name;
    bool required = false;
    QString defaultValue;
};

struct TemplateTag
{
    enum class Kind
    {
        Variable,
        Section,
        InvertedSection,
        Comment,
        SetDelimiter
    };
    Kind kind = Kind::Variable;
    QString name;           // as written, trimmed ("user.name"); empty for comments
    qsizetype position = 0; // where the tag starts, in UTF-16 units of the template
    QString section;        // the innermost enclosing section, empty at the top
};

struct TemplateAnalysis
{
    // Names to declare, in order of first use, without duplicates.
    QStringList variables;
    // Those of them used as sections.
    QStringList sections;
    // Names used only inside a section, by section: fields of its items.
    QMap<QString, QStringList> fields;
    QList<TemplateTag> tags; // in document order
    // The first problem, in words ("unclosed section \"examples\" at line 3,
    // column 1"), and where it is (UTF-16 offset); empty / -1 when none.
    QString error;
    qsizetype errorPosition = -1;

    bool ok() const { return error.isEmpty(); }
};

TemplateAnalysis analyzeTemplate(const QString &tpl);

// Names used in a template (TemplateAnalysis::variables). Sets *error (if
// given) to the first syntax error.
QStringList templateVariables(const QString &tpl, QString *error = nullptr);

// A value in `values` wins; otherwise a declared optional variable takes its
// default (listed in `defaulted`), and a required or undeclared one renders as
// its default (empty if none) and is listed in `missing`.
RenderResult renderTemplate(const QString &tpl, const QMap<QString, QString> &values,
                            const QList<TemplateVariable> &declared);

// "line 3, column 7" for a UTF-16 offset into text.
QString describePosition(const QString &text, qsizetype position);

} // namespace sb
