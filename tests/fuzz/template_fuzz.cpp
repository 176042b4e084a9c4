// libFuzzer target: the prompt template parser and renderer
// (core/prompt_template.h), which read what people type in the editor and
// what a service sends as a version's template. Input: the template, then
// NUL-separated `name=value` pairs for the variables (a value may be JSON,
// for sections). Nothing may crash, hang, leak or hit undefined behaviour;
// the analysis' positions lie inside the template, and a template the
// analysis accepts renders without a syntax error (the editor's warnings and
// the preview agree).

#include "core/prompt_template.h"
#include "fuzz_require.h"

#include <QByteArrayList>

using sb::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayList parts =
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)).split('\0');
    const QString tpl = QString::fromUtf8(parts.value(0));
    QMap<QString, QString> values;
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const qsizetype eq = parts[i].indexOf('=');
        values.insert(QString::fromUtf8(parts[i].left(eq)),
                      eq < 0 ? QString() : QString::fromUtf8(parts[i].mid(eq + 1)));
    }

    const sb::TemplateAnalysis a = sb::analyzeTemplate(tpl);
    for (const sb::TemplateTag &tag : a.tags)
        require(tag.position >= 0 && tag.position <= tpl.size(), "tag positions in the template");
    if (!a.ok()) {
        require(a.errorPosition >= -1 && a.errorPosition <= tpl.size(), "error position");
        (void)sb::describePosition(tpl, a.errorPosition);
    }

    // Every other variable declared, alternately required and optional.
    QList<sb::TemplateVariable> declared;
    for (qsizetype i = 0; i < a.variables.size(); i += 2)
        declared.push_back({a.variables[i], i % 4 == 0, QStringLiteral("d")});
    const sb::RenderResult r = sb::renderTemplate(tpl, values, declared);
    if (a.ok())
        require(r.error.isEmpty(), "an accepted template renders");
    else
        require(!r.error.isEmpty() && r.text == tpl, "a refused template is returned as is");
    return 0;
}
