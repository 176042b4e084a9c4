#pragma once

// PromptsClient: typed, asynchronous access to switchboard.v1.PromptService.
// Every method returns at once; the answer arrives as a signal on this
// object's thread, or `failed` with the operation's name.

#include "client/rpc_error.h"
#include "core/change.h"
#include "core/types.h"

#include <QObject>
#include <memory>
#include <vector>

namespace sb {

class Connection;
class PostGuard;

class PromptsClient : public QObject
{
    Q_OBJECT
public:
    explicit PromptsClient(Connection *connection, QObject *parent = nullptr);
    ~PromptsClient() override;

    void listPrompts(const QString &query = {}); // follows every page
    void listVersions(const QString &prompt);    // follows every page
    void createVersion(const PromptVersion &version, const QString &expectedEtag,
                       const QString &description, const QString &requestId);
    // A LabelMove change: object = prompt, item = label, version = target.
    void moveLabel(const Change &change);

signals:
    void promptsListed(const std::vector<sb::Prompt> &prompts);
    void versionsListed(const QString &prompt, const std::vector<sb::PromptVersion> &versions);
    void versionCreated(const sb::PromptVersion &version, const sb::Prompt &prompt);
    void labelMoved(const sb::Prompt &prompt, quint32 previousVersion);
    void changeApplied(const sb::Change &change);
    void changeFailed(const sb::Change &change, const sb::RpcError &error);
    void failed(const QString &operation, const sb::RpcError &error);

private:
    void listPage(const QString &query, const std::string &token,
                  std::shared_ptr<std::vector<Prompt>> acc);
    void listVersionsPage(const QString &prompt, const std::string &token,
                          std::shared_ptr<std::vector<PromptVersion>> acc);

    Connection *m_connection;
    std::shared_ptr<PostGuard> m_guard;
};

} // namespace sb
