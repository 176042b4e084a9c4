#pragma once

// TemplateHighlighter: Mustache tags in a prompt template, coloured by what
// they are: a declared variable, a field of a section's items, a section, a
// comment, or a variable nobody declared (red, wavy underline), so a typo in
// a name shows as it is typed. Used by the editor and the read-only view.

#include <QSet>
#include <QSyntaxHighlighter>

namespace sb {

class TemplateHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    explicit TemplateHighlighter(QTextDocument *document);
    // checkNames=false: colour tags only (nothing is "undeclared").
    void setNames(const QStringList &declared, const QStringList &fields, bool checkNames = true);
    // Tags whose variable was drawn as undeclared in the last pass (for tests).
    int undeclaredCount() const;

protected:
    void highlightBlock(const QString &text) override;

private:
    QSet<QString> m_declared;
    QSet<QString> m_fields;
    bool m_check = false;
};

} // namespace sb
