#pragma once

// PromptsController: the Prompts capability without widgets. Owns the
// prompt client calls and the WatchPrompts stream, the prompt, version and
// label-history models, their freshness and their cache writes, and the two
// writes a product engineer makes:
// - a new version (saveVersion): sent with the etag the editor opened with,
//   so a version someone else added meanwhile comes back as a conflict to
//   decide on, never a silent sibling; the service's INVALID_ARGUMENT names
//   the field for the editor to show next to it;
// - a label move (submit, a Change of kind LabelMove), promote or roll back,
//   through the guarded-change dialog, with the etag flow and conflict
//   re-decide of every write (rebase, describeConflict).
// Both are committed to the local action log before success is reported.
// Changes by others arrive on the watch (within a second), update the models
// in place and go to the notification log. Offline, everything comes from
// the cache: prompts, versions, label history (the audit events kept there).
//
// Roles: the contract has no "who am I", so the role is learned from the
// first refusal. A refused production move means operator (production needs
// admin): only production moves are disabled then. A refused create or other
// move means viewer: every write is disabled (Session::noteRoleTooLow).
//
// Sample variable values (per prompt) and drafts are kept on this machine
// by PromptLocalStore (QSettings, per endpoint: prompt text, never
// credentials).
//
// Known gaps: one draft per prompt (a second editor on the same prompt
// resumes it; one new prompt at a time is kept); the editor's
// model list holds the models seen in versions, not the routing table's;
// label history is only as good as the service's audit log (events it has
// pruned, or writes in a format the parser cannot read, are missing, and a
// rollback is then not offered rather than guessed); offline, a prompt that
// was never opened while connected has no versions to show.

#include "client/prompts_client.h"
#include "client/rpc_error.h"
#include "core/change.h"
#include "core/label_history.h"
#include "ui/prompts/prompt_local_store.h"
#include "ui/prompts/prompt_models.h"
#include "ui/prompts/version_draft.h"
#include "ui/session.h"

#include <QHash>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <optional>

namespace sb {

class PromptsWatch;
class ActionLog;
class NotificationLog;
struct CacheSnapshot;
struct PromptEvent;

class PromptsController : public QObject
{
    Q_OBJECT
public:
    // Only when the service has no WatchPrompts; otherwise changes arrive live.
    static constexpr int kFallbackPollMs = 30000;

    PromptsController(Session *session, ActionLog *actions, NotificationLog *notifications,
                      QObject *parent = nullptr);
    ~PromptsController() override;

    PromptListModel *prompts() { return &m_promptModel; }
    VersionListModel *versions() { return &m_versionModel; }
    LabelHistoryModel *labelHistory() { return &m_historyModel; }
    QString selectedPrompt() const { return m_selected; }
    // remember: the console opens on it next time (off for switchboard-ctl,
    // which must not move the console's selection).
    void selectPrompt(const QString &name, bool remember = true);
    void refresh();
    Freshness freshness() const;
    bool isWatching() const;

    const Prompt *prompt(const QString &name) const { return m_promptModel.prompt(name); }
    const PromptVersion *version(const QString &prompt, quint32 version) const;
    std::vector<LabelMove> labelMoves(const QString &prompt) const;
    // Models seen in any version, for the editor's model box.
    QStringList knownModels() const;

    // "" when a version can be written now; otherwise why not.
    QString writeBlockedReason() const;
    // The same for moving `label` (production may need a higher role).
    QString labelMoveBlockedReason(const QString &label) const;

    // --- Label moves ---
    std::optional<Change> moveLabelChange(const QString &prompt, const QString &label,
                                          quint32 version, QString *why = nullptr) const;
    // Production back to where it pointed before its last move.
    std::optional<Change> rollbackChange(const QString &prompt, QString *why = nullptr) const;
    // For the dialog: what moving the label does, and (for a rollback) why
    // that version.
    QString impactOf(const Change &change) const;
    // The same intent against the prompt as it is now (after a conflict);
    // nullopt if the label already points there.
    std::optional<Change> rebase(const Change &change) const;
    // "bob moved production of support-reply from v3 to v4 at 10:42:03 UTC"
    QString describeConflict(const Change &change, const ConflictInfo &conflict) const;
    void submit(const Change &change);

    // --- New versions ---
    // Sends the draft; returns its request id (versionSaved / versionSaveFailed).
    QString saveVersion(const VersionDraft &draft);

    // --- Kept locally, per endpoint ---
    QMap<QString, QString> sampleValues(const QString &prompt) const;
    void setSampleValues(const QString &prompt, const QMap<QString, QString> &values);
    std::optional<VersionDraft> draft(const QString &prompt) const;
    QStringList promptsWithDrafts() const;
    void saveDraft(const VersionDraft &draft);
    void discardDraft(const QString &prompt);
    // What is kept on this machine (drafts, sample values), for the editor.
    PromptLocalStore *local() { return &m_local; }

signals:
    void versionsShown(const QString &prompt);
    void labelHistoryChanged(const QString &prompt);
    void freshnessChanged();
    void changeSucceeded(const sb::Change &change);
    void changeConflicted(const sb::Change &change, const sb::ConflictInfo &conflict);
    void changeRejected(const sb::Change &change, const sb::RpcError &error);
    void versionSaved(const QString &requestId, const sb::PromptVersion &version);
    void versionSaveFailed(const QString &requestId, const sb::RpcError &error);
    // A label moved, as the watch reported it (the incident timeline's hook).
    void labelEventSeen(const sb::AuditEvent &event);

private:
    void onSnapshot(const CacheSnapshot &s);
    void showVersions(const QString &prompt);
    void showLabelHistory(const QString &prompt);
    void applyPrompt(const Prompt &p);
    void addVersion(const PromptVersion &v);
    void addLabelEvents(const QString &prompt, const std::vector<AuditEvent> &events);
    void onEvent(const PromptEvent &e);
    void onApplied(const Change &change);
    void onFailed(const Change &change, const RpcError &error);
    void onCreated(const QString &requestId, const PromptVersion &v, const Prompt &p);
    void onCreateFailed(const QString &requestId, const RpcError &error);
    QString rememberedPrompt(const std::vector<Prompt> &prompts) const;

    Session *m_session;
    ActionLog *m_actions;
    NotificationLog *m_notifications;
    PromptsClient *m_client;
    PromptsWatch *m_watch;
    PromptListModel m_promptModel;
    VersionListModel m_versionModel;
    LabelHistoryModel m_historyModel;
    QHash<QString, std::vector<PromptVersion>> m_versions;
    QHash<QString, std::vector<AuditEvent>> m_labelEvents; // by prompt
    QString m_selected;
    QString m_snapshotEndpoint;
    Freshness m_fresh;
    QString m_productionDenied;
    QHash<QString, Change> m_inFlight;       // label moves by request id
    QHash<QString, NewVersion> m_creates;    // creates in flight, by request id
    QHash<QString, PromptVersion> m_created; // created, until the local log has it
    QSet<QString> m_ours;                    // "prompt|label|v" and "prompt|vN" we made
    QTimer m_pollTimer;
    PromptLocalStore m_local{[this] { return m_session->endpointKey(); }};
};

} // namespace sb
