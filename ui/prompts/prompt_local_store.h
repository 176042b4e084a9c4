#pragma once

// PromptLocalStore: what the Prompts page keeps on this machine, per
// endpoint: the prompt open last, the sample variable values per prompt, and
// the drafts being written (saved as the user types, so a crash of the
// console loses nothing). In QSettings: prompt text and sample values, never
// a credential. Writes go, in order, to one background thread, so the GUI
// thread never waits for QSettings' sync to disk; reads see QSettings'
// shared in-memory copy.

#include "ui/prompts/version_draft.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <QThreadPool>
#include <QVariant>
#include <functional>
#include <optional>

namespace sb {

class PromptLocalStore
{
public:
    // endpointKey: the endpoint the values belong to, asked on every call
    // (the session may switch endpoints).
    explicit PromptLocalStore(std::function<QString()> endpointKey);
    ~PromptLocalStore(); // waits for queued writes: a draft is not cut short

    QString lastSelected() const;
    void setLastSelected(const QString &prompt);

    QMap<QString, QString> sampleValues(const QString &prompt) const;
    void setSampleValues(const QString &prompt, const QMap<QString, QString> &values);

    std::optional<VersionDraft> draft(const QString &prompt) const;
    QStringList promptsWithDrafts() const;
    // A draft with no prompt name (a new prompt not named yet) is not kept.
    void saveDraft(const VersionDraft &draft);
    void discardDraft(const QString &prompt);

    // The one new prompt being written (not on the service yet, maybe not
    // named yet), kept apart from the drafts of existing prompts.
    std::optional<VersionDraft> newPromptDraft() const;
    void saveNewPromptDraft(const VersionDraft &draft);
    void discardNewPromptDraft();

    // Blocks until queued writes are on disk (shutdown and tests only).
    void flush();

private:
    QString key(const QString &kind, const QString &prompt = {}) const;
    void write(const QString &key, const QVariant &value);

    std::function<QString()> m_endpointKey;
    QThreadPool m_pool;
};

} // namespace sb
