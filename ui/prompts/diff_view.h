#pragma once

// DiffView: two prompt versions side by side. Lines are aligned (an empty,
// shaded row stands opposite a line only one side has), changed lines are
// tinted and the words that changed inside them are highlighted; above the
// text, the model, parameter and declared-variable changes are listed. Rows
// are rows of one table, so a long line that wraps keeps the two sides
// aligned. Used on the Prompts page and in the label-move confirmation.
//
// Known gap: the table is laid out by QTextDocument on the GUI thread; past
// kMaxRows rows (a template of thousands of lines) only the first are shown.

#include "core/prompt_diff.h"

#include <QWidget>

class QLabel;
class QTextBrowser;

namespace sb {

class DiffView : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kMaxRows = 3000;

    explicit DiffView(QWidget *parent = nullptr);

    void setVersions(const PromptVersion &from, const PromptVersion &to, const QString &fromTitle,
                     const QString &toTitle);
    // Nothing to compare: says why instead.
    void showMessage(const QString &message);

    const TextDiff &diff() const { return m_diff; }
    const std::vector<FieldChange> &fieldChanges() const { return m_fields; }
    // How many changed-word highlights are drawn (for tests).
    int wordHighlights() const { return m_highlights; }
    QString summary() const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void render();

    QLabel *m_header;
    QLabel *m_fieldsLabel;
    QTextBrowser *m_text;
    TextDiff m_diff;
    std::vector<FieldChange> m_fields;
    QString m_fromTitle;
    QString m_toTitle;
    QString m_message;
    bool m_hasVersions = false;
    int m_highlights = 0;
};

} // namespace sb
