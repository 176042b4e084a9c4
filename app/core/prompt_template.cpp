#include "core/prompt_template.h"

namespace sb {

namespace {

bool validName(const QString &n)
{
    if (n.isEmpty())
        return false;
    for (QChar c : n) {
        if (!(c.isLetterOrNumber() || c == u'_'))
            return false;
    }
    return true;
}

// Walks the template, calling onText for literal text and onVar for placeholders.
template <typename OnText, typename OnVar>
bool walk(const QString &tpl, OnText onText, OnVar onVar, QString *error)
{
    qsizetype i = 0;
    while (i < tpl.size()) {
        const qsizetype open = tpl.indexOf(QStringLiteral("{{"), i);
        if (open < 0) {
            onText(tpl.mid(i));
            return true;
        }
        onText(tpl.mid(i, open - i));
        if (tpl.mid(open, 4) == QStringLiteral("{{{{")) {
            onText(QStringLiteral("{{"));
            i = open + 4;
            continue;
        }
        const qsizetype close = tpl.indexOf(QStringLiteral("}}"), open + 2);
        if (close < 0) {
            if (error)
                *error = QStringLiteral("unterminated placeholder at offset %1").arg(open);
            onText(tpl.mid(open));
            return false;
        }
        const QString name = tpl.mid(open + 2, close - open - 2).trimmed();
        if (!validName(name)) {
            if (error)
                *error = QStringLiteral("malformed placeholder '%1'").arg(name);
            onText(tpl.mid(open, close + 2 - open));
        } else {
            onVar(name);
        }
        i = close + 2;
    }
    return true;
}

} // namespace

QStringList templateVariables(const QString &tpl, QString *error)
{
    QStringList names;
    walk(
        tpl, [](const QString &) {},
        [&](const QString &n) {
            if (!names.contains(n))
                names << n;
        },
        error);
    return names;
}

RenderResult renderTemplate(const QString &tpl, const QMap<QString, QString> &values,
                            const QList<TemplateVariable> &declared)
{
    RenderResult r;
    walk(
        tpl, [&](const QString &t) { r.text += t; },
        [&](const QString &n) {
            auto it = values.find(n);
            if (it != values.end()) {
                r.text += it.value();
                return;
            }
            for (const auto &d : declared) {
                if (d.name != n)
                    continue;
                if (d.required) {
                    if (!r.missing.contains(n))
                        r.missing << n;
                } else if (!r.defaulted.contains(n)) {
                    r.defaulted << n;
                }
                r.text += d.defaultValue;
                return;
            }
            if (!r.missing.contains(n))
                r.missing << n;
        },
        nullptr);
    return r;
}

} // namespace sb
