#include "core/prompt_diff.h"

#include <QCoreApplication>
#include <dtl/dtl.hpp>

namespace sb {

namespace {

QString tr(const char *s)
{
    return QCoreApplication::translate("sb::PromptDiff", s);
}

// dtl's SES as plain (type, before index, after index) steps. Indices are
// 1-based as dtl gives them; 0 where the element is not on that side.
struct Step
{
    dtl::edit_t type;
    long long before;
    long long after;
};

std::vector<Step> editScript(const std::vector<QString> &a, const std::vector<QString> &b)
{
    dtl::Diff<QString, std::vector<QString>> d(a, b);
    if (a.size() + b.size() > 20000)
        d.onHuge(); // bounded memory for very long texts
    d.compose();
    std::vector<Step> out;
    for (const auto &[elem, info] : d.getSes().getSequence())
        out.push_back({info.type, info.beforeIdx, info.afterIdx});
    return out;
}

enum class TokenClass
{
    Word,
    Space,
    Other
};

TokenClass classOf(QChar c)
{
    if (c.isLetterOrNumber() || c == QLatin1Char('_') || c.isMark())
        return TokenClass::Word;
    if (c.isSpace())
        return TokenClass::Space;
    return TokenClass::Other;
}

// Words, runs of white space, and every other character on its own, with
// where each starts.
void tokenize(const QString &s, std::vector<QString> *tokens, std::vector<qsizetype> *starts)
{
    qsizetype i = 0;
    while (i < s.size()) {
        const TokenClass k = classOf(s[i]);
        qsizetype j = i + 1;
        if (k == TokenClass::Other) {
            if (s[i].isHighSurrogate() && j < s.size() && s[j].isLowSurrogate())
                ++j;
        } else {
            while (j < s.size() && classOf(s[j]) == k)
                ++j;
        }
        tokens->push_back(s.mid(i, j - i));
        starts->push_back(i);
        i = j;
    }
}

// Changed tokens as spans; a single unchanged white-space token between two
// changed ones joins them, so "was shown" -> "is hidden" is one highlight.
QList<DiffSpan> spansOf(const std::vector<QString> &tokens, const std::vector<qsizetype> &starts,
                        const std::vector<bool> &changed)
{
    QList<DiffSpan> spans;
    const std::size_t n = tokens.size();
    std::size_t i = 0;
    while (i < n) {
        if (!changed[i]) {
            ++i;
            continue;
        }
        std::size_t j = i + 1;
        for (;;) {
            if (j < n && changed[j]) {
                ++j;
            } else if (j + 1 < n && !changed[j] && changed[j + 1] &&
                       classOf(tokens[j].front()) == TokenClass::Space) {
                j += 2;
            } else {
                break;
            }
        }
        const qsizetype start = starts[i];
        const qsizetype end = starts[j - 1] + tokens[j - 1].size();
        spans.append({start, end - start});
        i = j;
    }
    return spans;
}

QString number(double v)
{
    return QString::number(v, 'g', 6);
}

QString describeVariable(const PromptVariable &v)
{
    QString s = v.required ? tr("required") : tr("optional");
    if (!v.defaultValue.isEmpty())
        s += tr(", default “%1”").arg(v.defaultValue);
    if (!v.description.isEmpty())
        s += tr(": %1").arg(v.description);
    return s;
}

template <class T> QString orUnset(const std::optional<T> &v)
{
    return v ? number(double(*v)) : QString();
}

} // namespace

void diffWords(const QString &a, const QString &b, QList<DiffSpan> *aSpans, QList<DiffSpan> *bSpans)
{
    std::vector<QString> ta, tb;
    std::vector<qsizetype> sa, sb;
    tokenize(a, &ta, &sa);
    tokenize(b, &tb, &sb);
    std::vector<bool> ca(ta.size(), true), cb(tb.size(), true);
    for (const Step &s : editScript(ta, tb)) {
        if (s.type == dtl::SES_COMMON) {
            ca[std::size_t(s.before - 1)] = false;
            cb[std::size_t(s.after - 1)] = false;
        }
    }
    if (aSpans)
        *aSpans = spansOf(ta, sa, ca);
    if (bSpans)
        *bSpans = spansOf(tb, sb, cb);
}

TextDiff diffText(const QString &a, const QString &b)
{
    TextDiff out;
    const QStringList la = a.split(QLatin1Char('\n'));
    const QStringList lb = b.split(QLatin1Char('\n'));
    const std::vector<QString> va(la.begin(), la.end()), vb(lb.begin(), lb.end());
    std::vector<int> removed, added; // the pending run, as line indices

    auto flush = [&] {
        const std::size_t pairs = std::min(removed.size(), added.size());
        for (std::size_t i = 0; i < pairs; ++i) {
            DiffRow r;
            r.kind = DiffRow::Kind::Changed;
            r.leftLine = removed[i];
            r.rightLine = added[i];
            r.left = va[std::size_t(removed[i])];
            r.right = vb[std::size_t(added[i])];
            diffWords(r.left, r.right, &r.leftSpans, &r.rightSpans);
            out.rows.push_back(std::move(r));
            ++out.changed;
        }
        for (std::size_t i = pairs; i < removed.size(); ++i) {
            DiffRow r;
            r.kind = DiffRow::Kind::Removed;
            r.leftLine = removed[i];
            r.left = va[std::size_t(removed[i])];
            out.rows.push_back(std::move(r));
            ++out.removed;
        }
        for (std::size_t i = pairs; i < added.size(); ++i) {
            DiffRow r;
            r.kind = DiffRow::Kind::Added;
            r.rightLine = added[i];
            r.right = vb[std::size_t(added[i])];
            out.rows.push_back(std::move(r));
            ++out.added;
        }
        removed.clear();
        added.clear();
    };

    for (const Step &s : editScript(va, vb)) {
        switch (s.type) {
        case dtl::SES_DELETE:
            removed.push_back(int(s.before - 1));
            break;
        case dtl::SES_ADD:
            added.push_back(int(s.after - 1));
            break;
        case dtl::SES_COMMON: {
            flush();
            DiffRow r;
            r.leftLine = int(s.before - 1);
            r.rightLine = int(s.after - 1);
            r.left = r.right = va[std::size_t(r.leftLine)];
            out.rows.push_back(std::move(r));
            break;
        }
        }
    }
    flush();
    return out;
}

QString describeParams(const ModelParams &p)
{
    QStringList parts;
    if (p.temperature)
        parts << tr("temperature %1").arg(number(*p.temperature));
    if (p.topP)
        parts << tr("top_p %1").arg(number(*p.topP));
    if (p.maxOutputTokens)
        parts << tr("max %1 tokens").arg(*p.maxOutputTokens);
    return parts.isEmpty() ? tr("default parameters") : parts.join(QStringLiteral(", "));
}

std::vector<FieldChange> versionChanges(const PromptVersion &from, const PromptVersion &to)
{
    std::vector<FieldChange> out;
    if (from.model != to.model)
        out.push_back({tr("model"), from.model, to.model});
    auto param = [&](const QString &name, const QString &a, const QString &b) {
        if (a != b)
            out.push_back({name, a, b});
    };
    param(tr("temperature"), orUnset(from.params.temperature), orUnset(to.params.temperature));
    param(tr("top_p"), orUnset(from.params.topP), orUnset(to.params.topP));
    param(tr("max output tokens"), orUnset(from.params.maxOutputTokens),
          orUnset(to.params.maxOutputTokens));
    auto find = [](const std::vector<PromptVariable> &vars, const QString &name) {
        for (const auto &v : vars) {
            if (v.name == name)
                return &v;
        }
        return static_cast<const PromptVariable *>(nullptr);
    };
    for (const auto &v : from.variables) {
        const PromptVariable *now = find(to.variables, v.name);
        if (!now)
            out.push_back({tr("variable %1").arg(v.name), describeVariable(v), {}});
        else if (!(*now == v))
            out.push_back(
                {tr("variable %1").arg(v.name), describeVariable(v), describeVariable(*now)});
    }
    for (const auto &v : to.variables) {
        if (!find(from.variables, v.name))
            out.push_back({tr("variable %1").arg(v.name), {}, describeVariable(v)});
    }
    return out;
}

} // namespace sb
