#pragma once

// Diffs between two prompt versions, for the side-by-side view and the
// label-move confirmation. Lines are compared with libdtl (Wu, Manber and
// Myers' O(NP) algorithm); within a changed line the words are compared
// again, so the view can highlight the words that changed rather than the
// whole line. A run of removed lines followed by added lines is paired up
// row by row as changed lines (as side-by-side tools do); what is left over
// shows as purely removed or added, with an empty row on the other side so
// the unchanged lines after it stay aligned.
//
// Besides the text: the model, each parameter and each declared variable
// (added, removed, required/default/description changed), listed so they
// can be shown above the text.

#include "core/types.h"

#include <QList>
#include <QString>
#include <vector>

namespace sb {

struct DiffSpan
{
    qsizetype start = 0; // UTF-16 offset within the row's line
    qsizetype length = 0;
    bool operator==(const DiffSpan &) const = default;
};

struct DiffRow
{
    enum class Kind
    {
        Same,
        Changed, // both sides, with the changed words in the spans
        Removed, // left only
        Added    // right only
    };
    Kind kind = Kind::Same;
    int leftLine = -1; // 0-based line number on that side; -1 for the empty filler
    int rightLine = -1;
    QString left;
    QString right;
    QList<DiffSpan> leftSpans;
    QList<DiffSpan> rightSpans;
};

struct TextDiff
{
    std::vector<DiffRow> rows;
    int added = 0;   // lines only on the right
    int removed = 0; // lines only on the left
    int changed = 0; // rows with words changed
    bool identical() const { return added == 0 && removed == 0 && changed == 0; }
};

// Line diff of a -> b with word highlights on changed rows.
TextDiff diffText(const QString &a, const QString &b);

// The words of one line that differ, as spans on either side.
void diffWords(const QString &a, const QString &b, QList<DiffSpan> *aSpans,
               QList<DiffSpan> *bSpans);

struct FieldChange
{
    QString field; // "model", "temperature", "variable tone", ...
    QString from;  // "" when it was not there
    QString to;    // "" when it is gone
    bool operator==(const FieldChange &) const = default;
};

// Model, parameter and declared-variable changes from -> to, in that order.
std::vector<FieldChange> versionChanges(const PromptVersion &from, const PromptVersion &to);

// "temperature 0.7, top_p 0.9, max 400 tokens" (or "defaults").
QString describeParams(const ModelParams &p);

} // namespace sb
