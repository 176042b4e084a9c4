#pragma once

// PromptsController: the Prompts capability without widgets. Owns the prompt
// client calls, the prompt and version models, their freshness and their
// cache writes; fills from the cache first and from the service as soon as
// it answers.

#include "core/types.h"
#include "ui/prompts/prompt_models.h"
#include "ui/session.h"

#include <QHash>
#include <QObject>
#include <QTimer>

namespace sb {

class PromptsClient;
struct CacheSnapshot;

class PromptsController : public QObject
{
    Q_OBJECT
public:
    static constexpr int kRefreshMs = 30000;

    explicit PromptsController(Session *session, QObject *parent = nullptr);

    PromptListModel *prompts() { return &m_promptModel; }
    VersionListModel *versions() { return &m_versionModel; }
    QString selectedPrompt() const { return m_selected; }
    void selectPrompt(const QString &name);
    void refresh();
    Freshness freshness() const;

signals:
    void versionsShown(const QString &prompt);
    void freshnessChanged();

private:
    void onSnapshot(const CacheSnapshot &s);
    void showVersions(const QString &prompt);

    Session *m_session;
    PromptsClient *m_client;
    PromptListModel m_promptModel;
    VersionListModel m_versionModel;
    QHash<QString, std::vector<PromptVersion>> m_versions;
    QString m_selected;
    Freshness m_fresh;
    QTimer m_timer;
};

} // namespace sb
