#include "ui/prompts/template_highlighter.h"

#include "ui/common/palette.h"

#include <QRegularExpression>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>

namespace sb {

namespace {

const QRegularExpression &tagPattern()
{
    // {{name}}, {{{name}}}, {{#s}}, {{^s}}, {{/s}}, {{&name}}, {{! comment }}, {{=<% %>=}}
    static const QRegularExpression re(
        QStringLiteral("\\{\\{(\\{)?\\s*([#^/&!=>]?)\\s*([^{}]*?)\\s*\\}?\\}\\}"));
    return re;
}

QColor variableColour()
{
    return {0x1e, 0x7b, 0xd8};
}
QColor sectionColour()
{
    return {0x9c, 0x4d, 0xcc};
}
QColor fieldColour()
{
    return {0x00, 0x89, 0x7b};
}

} // namespace

TemplateHighlighter::TemplateHighlighter(QTextDocument *document) : QSyntaxHighlighter(document) {}

void TemplateHighlighter::setNames(const QStringList &declared, const QStringList &fields,
                                   bool checkNames)
{
    QSet<QString> d(declared.begin(), declared.end());
    QSet<QString> f(fields.begin(), fields.end());
    if (d == m_declared && f == m_fields && checkNames == m_check)
        return;
    m_declared = d;
    m_fields = f;
    m_check = checkNames;
    rehighlight();
}

int TemplateHighlighter::undeclaredCount() const
{
    int n = 0;
    for (QTextBlock b = document()->begin(); b.isValid(); b = b.next()) {
        for (const auto &r : b.layout()->formats()) {
            if (r.format.underlineStyle() == QTextCharFormat::WaveUnderline)
                ++n;
        }
    }
    return n;
}

void TemplateHighlighter::highlightBlock(const QString &text)
{
    auto it = tagPattern().globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        const QString sigil = m.captured(1).isEmpty() ? m.captured(2) : QStringLiteral("&");
        const QString name = m.captured(3).trimmed();
        const QString root = name.section(QLatin1Char('.'), 0, 0);
        QTextCharFormat braces;
        braces.setForeground(palette::muted());
        QTextCharFormat body;
        if (sigil == QLatin1String("!") || sigil == QLatin1String("=")) {
            body.setForeground(palette::muted());
            body.setFontItalic(true);
            setFormat(int(m.capturedStart()), int(m.capturedLength()), body);
            continue;
        }
        const bool section = sigil == QLatin1String("#") || sigil == QLatin1String("^") ||
                             sigil == QLatin1String("/");
        const bool known = !m_check || name == QLatin1String(".") || m_declared.contains(root) ||
                           m_fields.contains(root);
        if (!known) {
            body.setForeground(palette::bad());
            body.setUnderlineStyle(QTextCharFormat::WaveUnderline);
            body.setUnderlineColor(palette::bad());
            body.setToolTip(tr("%1 is not declared").arg(root));
        } else if (section) {
            body.setForeground(sectionColour());
        } else if (m_fields.contains(root) && !m_declared.contains(root)) {
            body.setForeground(fieldColour());
        } else {
            body.setForeground(variableColour());
        }
        body.setFontWeight(QFont::Bold);
        setFormat(int(m.capturedStart()), int(m.capturedLength()), braces);
        setFormat(int(m.capturedStart(2)), int(m.capturedEnd(3) - m.capturedStart(2)), body);
    }
}

} // namespace sb
