#include "core/prompt_template.h"

namespace sb {

namespace {

bool validName(QStringView n)
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

// Walks the template, calling onText for literal text and onVar for
// placeholders. Returns false after a malformed or unterminated placeholder,
// whose text is passed through literally; *error gets the first one.
template <typename OnText, typename OnVar>
bool walk(QStringView tpl, OnText onText, OnVar onVar, QString *error)
{
    bool ok = true;
    auto fail = [&](const QString &message) {
        if (ok && error)
            *error = message;
        ok = false;
    };
    qsizetype i = 0;
    while (i < tpl.size()) {
        const qsizetype open = tpl.indexOf(u"{{", i);
        if (open < 0) {
            onText(tpl.mid(i));
            break;
        }
        onText(tpl.mid(i, open - i));
        if (tpl.mid(open, 4) == u"{{{{") {
            onText(QStringView(u"{{"));
            i = open + 4;
            continue;
        }
        const qsizetype close = tpl.indexOf(u"}}", open + 2);
        const qsizetype reopen = tpl.indexOf(u"{{", open + 2);
        if (close < 0 || (reopen >= 0 && reopen < close)) {
            // Resume at the next `{{` so "{{a and {{b}}" still finds b.
            fail(QStringLiteral("unterminated placeholder at offset %1").arg(open));
            const qsizetype end = reopen >= 0 ? reopen : tpl.size();
            onText(tpl.mid(open, end - open));
            i = end;
            continue;
        }
        const QStringView name = tpl.mid(open + 2, close - open - 2).trimmed();
        if (!validName(name)) {
            fail(QStringLiteral("malformed placeholder '%1' at offset %2").arg(name).arg(open));
            onText(tpl.mid(open, close + 2 - open));
        } else {
            onVar(name.toString());
        }
        i = close + 2;
    }
    return ok;
}

} // namespace

QStringList templateVariables(const QString &tpl, QString *error)
{
    QStringList names;
    walk(
        tpl, [](QStringView) {},
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
        tpl, [&](QStringView t) { r.text += t; },
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
        &r.error);
    return r;
}

} // namespace sb
