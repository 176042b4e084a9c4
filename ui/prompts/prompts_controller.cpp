#include "ui/prompts/prompts_controller.h"

#include "client/prompts_client.h"
#include "store/cache.h"

#include <QDateTime>

namespace sb {

PromptsController::PromptsController(Session *session, QObject *parent)
    : QObject(parent), m_session(session), m_client(new PromptsClient(session->connection(), this))
{
    connect(m_client, &PromptsClient::promptsListed, this,
            [this](const std::vector<Prompt> &prompts) {
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                m_promptModel.setPrompts(prompts);
                m_session->noteAuthorised();
                m_fresh = {now, true};
                if (auto *cache = m_session->cache())
                    cache->savePrompts(m_session->endpointKey(), prompts, now);
                if (m_selected.isEmpty() && !prompts.empty())
                    selectPrompt(prompts.front().name);
                else if (!m_selected.isEmpty())
                    m_client->listVersions(m_selected);
                emit freshnessChanged();
            });
    connect(m_client, &PromptsClient::versionsListed, this,
            [this](const QString &prompt, const std::vector<PromptVersion> &versions) {
                m_versions[prompt] = versions;
                if (auto *cache = m_session->cache())
                    cache->savePromptVersions(m_session->endpointKey(), prompt, versions,
                                              QDateTime::currentMSecsSinceEpoch());
                if (prompt == m_selected)
                    showVersions(prompt);
            });
    connect(m_client, &PromptsClient::failed, m_session, &Session::reportFailure);
    connect(m_session, &Session::snapshotLoaded, this, &PromptsController::onSnapshot);
    connect(m_session, &Session::connected, this, &PromptsController::refresh);
    connect(m_session, &Session::endpointChanged, this, [this] {
        m_fresh = {};
        m_versions.clear();
        m_selected.clear();
        m_promptModel.setPrompts({});
        m_versionModel.clear();
    });
    m_timer.setInterval(kRefreshMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (m_session->isReady())
            refresh();
    });
    m_timer.start();
}

Freshness PromptsController::freshness() const
{
    return {m_fresh.fetchedMs, m_fresh.live && m_session->isReady()};
}

void PromptsController::refresh()
{
    m_client->listPrompts();
}

void PromptsController::selectPrompt(const QString &name)
{
    m_selected = name;
    showVersions(name);
    if (m_session->isReady())
        m_client->listVersions(name);
}

void PromptsController::showVersions(const QString &prompt)
{
    const Prompt *p = m_promptModel.promptAt(m_promptModel.rowOf(prompt));
    auto it = m_versions.find(prompt);
    if (!p || it == m_versions.end())
        m_versionModel.clear();
    else
        m_versionModel.setVersions(*p, it.value());
    emit versionsShown(prompt);
}

void PromptsController::onSnapshot(const CacheSnapshot &s)
{
    // Cached data only fills what the live service has not answered yet.
    if (m_fresh.live || s.promptsFetchedMs <= 0)
        return;
    m_promptModel.setPrompts(s.prompts);
    m_fresh.fetchedMs = s.promptsFetchedMs;
    for (auto it = s.versions.begin(); it != s.versions.end(); ++it)
        m_versions.insert(it.key(), it.value());
    if (m_selected.isEmpty() && !s.prompts.empty())
        m_selected = s.prompts.front().name;
    showVersions(m_selected);
    emit freshnessChanged();
}

} // namespace sb
