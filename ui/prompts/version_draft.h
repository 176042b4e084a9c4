#pragma once

// VersionDraft: a new version being written in the editor, before it is
// saved. Kept locally as the user types (PromptsController::saveDraft, in
// QSettings: a draft holds prompt text, never a credential), so a crash of
// the console loses nothing and the draft is offered back on the next start.

#include "core/types.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace sb {

struct VersionDraft
{
    QString prompt;
    quint32 parentVersion = 0; // the version it was seeded from
    QString expectedEtag;      // the prompt's etag when the editor opened
    QString templateText;
    QString model;
    ModelParams params;
    std::vector<PromptVariable> variables;
    QString message;
    bool newPrompt = false; // the first version of a prompt named in the editor
    QString description;    // a new prompt's description
    qint64 savedMs = 0;     // when it was last kept locally

    // The version this draft would create.
    PromptVersion toVersion() const;
    // Seeded from an existing version (or empty for a new prompt).
    static VersionDraft from(const PromptVersion &v, const QString &etag);

    QByteArray toJson() const;
    // requireName: refuse a draft with no prompt name (all but a new prompt's).
    static std::optional<VersionDraft> fromJson(const QByteArray &json, bool requireName = true);

    bool operator==(const VersionDraft &) const = default;
};

} // namespace sb
