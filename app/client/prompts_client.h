#pragma once

// PromptsClient: typed, asynchronous access to switchboard.v1.PromptService,
// plus a prompt's label history, which the contract keeps in the audit log
// (RoutingService.ListAuditEvents filtered to target `prompt/NAME`; see
// core/label_history.h). Every method returns at once; the answer arrives as
// a signal on this object's thread, or `failed` with the operation's name.
// Writes answer with the request id (createVersion) or the Change
// (moveLabel) they were for, so a caller matches answers to what it sent.

#include "client/rpc_error.h"
#include "core/change.h"
#include "core/types.h"

#include <QObject>
#include <memory>
#include <vector>

namespace sb {

class Connection;
class PostGuard;

// A new version to create: named fields rather than three strings in a row.
struct NewVersion
{
    PromptVersion version; // promptName, template, model, params, variables, message, parent
    QString expectedEtag;  // the prompt's etag as last read; empty to create the prompt
    QString requestId;     // makes a retry harmless
    QString description;   // used only when creating the prompt
};

class PromptsClient : public QObject
{
    Q_OBJECT
public:
    explicit PromptsClient(Connection *connection, QObject *parent = nullptr);
    ~PromptsClient() override;

    void listPrompts(const QString &query = {}); // follows every page
    void listVersions(const QString &prompt);    // follows every page
    // The prompt's audit events (newest first, up to `limit`), for its label history.
    void listLabelHistory(const QString &prompt, int limit = 1000);
    void createVersion(const NewVersion &request);
    // A LabelMove change: object = prompt, item = label, version = target.
    void moveLabel(const Change &change);

signals:
    void promptsListed(const std::vector<sb::Prompt> &prompts);
    void versionsListed(const QString &prompt, const std::vector<sb::PromptVersion> &versions);
    void labelHistoryListed(const QString &prompt, const std::vector<sb::AuditEvent> &events);
    void versionCreated(const QString &requestId, const sb::PromptVersion &version,
                        const sb::Prompt &prompt);
    // INVALID_ARGUMENT names the field first ("template: ..."), a stale etag
    // carries the prompt as it is now.
    void versionCreateFailed(const QString &requestId, const sb::RpcError &error);
    void labelMoved(const sb::Prompt &prompt, quint32 previousVersion);
    void changeApplied(const sb::Change &change);
    void changeFailed(const sb::Change &change, const sb::RpcError &error);
    void failed(const QString &operation, const sb::RpcError &error);

private:
    void listPage(const QString &query, const std::string &token,
                  std::shared_ptr<std::vector<Prompt>> acc);
    void listVersionsPage(const QString &prompt, const std::string &token,
                          std::shared_ptr<std::vector<PromptVersion>> acc);
    void listHistoryPage(const QString &prompt, const std::string &token, int limit,
                         std::shared_ptr<std::vector<AuditEvent>> acc);

    Connection *m_connection;
    std::shared_ptr<PostGuard> m_guard;
};

} // namespace sb
