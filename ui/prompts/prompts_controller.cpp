#include "ui/prompts/prompts_controller.h"

#include "client/prompts_client.h"
#include "client/prompts_watch.h"
#include "core/clock.h"
#include "core/prompt_diff.h"
#include "store/cache.h"
#include "ui/common/action_log.h"
#include "ui/common/format.h"
#include "ui/common/notification_log.h"

#include <QDateTime>
#include <algorithm>

namespace sb {

static qint64 nowMs()
{
    return clock::nowMs();
}

static const QString kProduction = QStringLiteral("production");

PromptsController::PromptsController(Session *session, ActionLog *actions,
                                     NotificationLog *notifications, QObject *parent)
    : QObject(parent), m_session(session), m_actions(actions), m_notifications(notifications),
      m_client(new PromptsClient(session->connection(), this)),
      m_watch(new PromptsWatch(session->connection(), this))
{
    // One thread, so writes land in the order they were made.
    connect(m_client, &PromptsClient::promptsListed, this,
            [this](const std::vector<Prompt> &prompts) {
                const qint64 now = nowMs();
                const bool first = !m_fresh.live;
                // Chosen before the list resets, so a view that picks a row
                // of its own on the reset cannot win over it.
                bool select = false;
                if (m_selected.isEmpty() ||
                    std::none_of(prompts.begin(), prompts.end(),
                                 [this](const Prompt &p) { return p.name == m_selected; })) {
                    m_selected = rememberedPrompt(prompts);
                    select = true;
                }
                m_promptModel.setPrompts(prompts);
                m_session->noteAuthorised();
                m_fresh = {now, true};
                if (auto *cache = m_session->cache())
                    cache->savePrompts(m_session->endpointKey(), prompts, now);
                if (select) {
                    const QString name = m_selected;
                    m_selected.clear();
                    selectPrompt(name);
                } else if (!m_selected.isEmpty()) {
                    showVersions(m_selected);
                    m_client->listVersions(m_selected);
                    m_client->listLabelHistory(m_selected);
                }
                if (first)
                    emit freshnessChanged();
            });
    connect(m_client, &PromptsClient::versionsListed, this,
            [this](const QString &prompt, const std::vector<PromptVersion> &versions) {
                m_versions[prompt] = versions;
                if (auto *cache = m_session->cache())
                    cache->savePromptVersions(m_session->endpointKey(), prompt, versions, nowMs());
                if (prompt == m_selected)
                    showVersions(prompt);
            });
    connect(m_client, &PromptsClient::labelHistoryListed, this,
            [this](const QString &prompt, const std::vector<AuditEvent> &events) {
                if (auto *cache = m_session->cache())
                    cache->saveAuditEvents(m_session->endpointKey(), events);
                m_labelEvents[prompt] = events;
                if (prompt == m_selected)
                    showLabelHistory(prompt);
            });
    connect(m_client, &PromptsClient::failed, m_session, &Session::reportFailure);
    connect(m_client, &PromptsClient::labelMoved, this,
            [this](const Prompt &p, quint32) { applyPrompt(p); });
    connect(m_client, &PromptsClient::changeApplied, this, &PromptsController::onApplied);
    connect(m_client, &PromptsClient::changeFailed, this, &PromptsController::onFailed);
    connect(m_client, &PromptsClient::versionCreated, this, &PromptsController::onCreated);
    connect(m_client, &PromptsClient::versionCreateFailed, this,
            &PromptsController::onCreateFailed);
    // The subscription is in place: re-read once to cover what happened
    // while we were not watching (at start and after every reconnect).
    connect(m_watch, &PromptsWatch::started, this, [this] {
        if (m_session->isReady())
            refresh();
    });
    connect(m_watch, &PromptsWatch::eventReceived, this, &PromptsController::onEvent);
    // A service without WatchPrompts (or refusing it for good): poll instead.
    connect(m_watch, &PromptsWatch::finished, this, [this](const RpcError &e) {
        if (e.code != RpcCode::Cancelled && m_session->isReady())
            m_pollTimer.start();
    });
    m_pollTimer.setInterval(kFallbackPollMs);
    connect(&m_pollTimer, &QTimer::timeout, this, [this] {
        if (m_session->isReady() && !m_watch->isWatching())
            refresh();
    });
    connect(m_actions, &ActionLog::recorded, this,
            [this](const QString &requestId, bool ok, const QString &error) {
                if (auto it = m_inFlight.find(requestId); it != m_inFlight.end()) {
                    const Change c = it.value();
                    m_inFlight.erase(it);
                    if (!ok)
                        emit m_session->message(tr("%1 was applied by the service, but the local "
                                                   "action log could not record it: %2")
                                                    .arg(c.title(), error));
                    emit changeSucceeded(c);
                    return;
                }
                if (auto it = m_created.find(requestId); it != m_created.end()) {
                    const PromptVersion v = it.value();
                    m_created.erase(it);
                    if (!ok)
                        emit m_session->message(tr("v%1 of %2 was saved by the service, but the "
                                                   "local action log could not record it: %3")
                                                    .arg(v.version)
                                                    .arg(v.promptName, error));
                    emit versionSaved(requestId, v);
                }
            });
    connect(m_session, &Session::snapshotLoaded, this, &PromptsController::onSnapshot);
    if (auto *cache = m_session->cache()) {
        // Label history offline: every label move kept in the cache's audit
        // log, beyond the snapshot's newest few hundred events.
        connect(cache, &Cache::auditLoaded, this,
                [this](const QString &endpoint, const std::vector<AuditEvent> &events) {
                    if (endpoint != m_snapshotEndpoint || m_fresh.live)
                        return;
                    QHash<QString, std::vector<AuditEvent>> byPrompt;
                    for (const auto &e : events) {
                        if (e.action == QLatin1String("label.move") &&
                            e.target.startsWith(QLatin1String("prompt/")))
                            byPrompt[e.target.mid(7)].push_back(e);
                    }
                    for (auto it = byPrompt.begin(); it != byPrompt.end(); ++it)
                        addLabelEvents(it.key(), it.value());
                });
    }
    connect(m_session, &Session::connected, this, [this] {
        refresh();
        m_watch->start();
    });
    connect(m_session, &Session::disconnected, this, [this] {
        m_watch->stop();
        m_pollTimer.stop();
        emit freshnessChanged();
    });
    connect(m_session, &Session::endpointChanged, this, [this] {
        m_fresh = {};
        m_versions.clear();
        m_labelEvents.clear();
        m_selected.clear();
        m_snapshotEndpoint.clear();
        m_productionDenied.clear();
        m_inFlight.clear();
        m_creates.clear();
        m_created.clear();
        m_promptModel.setPrompts({});
        m_versionModel.clear();
        m_historyModel.setMoves({});
        m_watch->stop();
    });
}

PromptsController::~PromptsController()
{
    m_local.flush(); // a draft being written is not cut short
}

Freshness PromptsController::freshness() const
{
    return {m_fresh.fetchedMs, m_fresh.live && m_session->isReady()};
}

bool PromptsController::isWatching() const
{
    return m_watch->isWatching();
}

void PromptsController::refresh()
{
    m_client->listPrompts();
}

QString PromptsController::rememberedPrompt(const std::vector<Prompt> &prompts) const
{
    // The prompt open last time on this endpoint, if it is still there.
    const QString last = m_local.lastSelected();
    for (const auto &p : prompts) {
        if (p.name == last)
            return last;
    }
    return prompts.empty() ? QString() : prompts.front().name;
}

void PromptsController::selectPrompt(const QString &name, bool remember)
{
    if (remember && name != m_selected && !name.isEmpty())
        m_local.setLastSelected(name);
    m_selected = name;
    showVersions(name);
    showLabelHistory(name);
    if (m_session->isReady() && !name.isEmpty()) {
        m_client->listVersions(name);
        m_client->listLabelHistory(name);
    }
}

void PromptsController::showVersions(const QString &prompt)
{
    const Prompt *p = m_promptModel.prompt(prompt);
    auto it = m_versions.find(prompt);
    if (!p || it == m_versions.end()) {
        if (m_versionModel.rowCount() > 0 || !m_versionModel.prompt().name.isEmpty())
            m_versionModel.clear();
    } else if (m_versionModel.prompt().name == prompt &&
               m_versionModel.versions().size() == it.value().size()) {
        m_versionModel.setPrompt(*p); // same versions: only labels may have moved
    } else {
        m_versionModel.setVersions(*p, it.value());
    }
    emit versionsShown(prompt);
}

void PromptsController::showLabelHistory(const QString &prompt)
{
    m_historyModel.setMoves(labelMoves(prompt));
    emit labelHistoryChanged(prompt);
}

const PromptVersion *PromptsController::version(const QString &prompt, quint32 version) const
{
    auto it = m_versions.find(prompt);
    if (it == m_versions.end())
        return nullptr;
    for (const auto &v : it.value()) {
        if (v.version == version)
            return &v;
    }
    return nullptr;
}

std::vector<LabelMove> PromptsController::labelMoves(const QString &prompt) const
{
    return labelMovesOf(prompt, m_labelEvents.value(prompt));
}

QStringList PromptsController::knownModels() const
{
    QStringList models;
    for (const auto &versions : m_versions) {
        for (const auto &v : versions) {
            if (!v.model.isEmpty() && !models.contains(v.model))
                models << v.model;
        }
    }
    models.sort();
    return models;
}

void PromptsController::applyPrompt(const Prompt &p)
{
    m_promptModel.updatePrompt(p);
    if (p.name == m_selected)
        showVersions(p.name);
    if (auto *cache = m_session->cache())
        cache->savePrompts(m_session->endpointKey(), m_promptModel.prompts(), nowMs());
}

void PromptsController::addVersion(const PromptVersion &v)
{
    auto &list = m_versions[v.promptName];
    for (const auto &existing : list) {
        if (existing.version == v.version)
            return;
    }
    list.insert(list.begin(), v);
    if (auto *cache = m_session->cache())
        cache->savePromptVersions(m_session->endpointKey(), v.promptName, {v}, nowMs());
    if (v.promptName == m_selected)
        showVersions(v.promptName);
}

void PromptsController::addLabelEvents(const QString &prompt, const std::vector<AuditEvent> &events)
{
    auto &kept = m_labelEvents[prompt];
    QSet<QString> ids;
    for (const auto &e : kept)
        ids.insert(e.id);
    bool added = false;
    for (const auto &e : events) {
        if (!ids.contains(e.id)) {
            kept.push_back(e);
            added = true;
        }
    }
    if (added && prompt == m_selected)
        showLabelHistory(prompt);
}

void PromptsController::onSnapshot(const CacheSnapshot &s)
{
    // Cached data only fills what the live service has not answered yet.
    if (m_fresh.live || s.promptsFetchedMs <= 0)
        return;
    m_snapshotEndpoint = s.endpoint;
    if (m_selected.isEmpty() ||
        std::none_of(s.prompts.begin(), s.prompts.end(),
                     [this](const Prompt &p) { return p.name == m_selected; }))
        m_selected = rememberedPrompt(s.prompts);
    m_promptModel.setPrompts(s.prompts);
    m_fresh.fetchedMs = s.promptsFetchedMs;
    for (auto it = s.versions.begin(); it != s.versions.end(); ++it)
        m_versions.insert(it.key(), it.value());
    QHash<QString, std::vector<AuditEvent>> byPrompt;
    for (const auto &e : s.audit) {
        if (e.target.startsWith(QLatin1String("prompt/")))
            byPrompt[e.target.mid(7)].push_back(e);
    }
    for (auto it = byPrompt.begin(); it != byPrompt.end(); ++it)
        m_labelEvents.insert(it.key(), it.value());
    if (auto *cache = m_session->cache())
        cache->loadAudit(s.endpoint, 0, 0);
    showVersions(m_selected);
    showLabelHistory(m_selected);
    emit freshnessChanged();
}

// --- Watch ---

void PromptsController::onEvent(const PromptEvent &e)
{
    applyPrompt(e.prompt);
    NotificationLog::Entry n;
    n.timeMs = e.timeMs > 0 ? e.timeMs : nowMs();
    n.severity = NotificationLog::Severity::Info;
    bool ours = false;
    if (e.kind == PromptEvent::Kind::VersionCreated) {
        // Only where the list is complete: a prompt not opened yet loads all
        // its versions when it is.
        if (m_versions.contains(e.prompt.name))
            addVersion(e.version);
        ours = m_ours.contains(QStringLiteral("%1|v%2").arg(e.prompt.name).arg(e.version.version));
        // The answer to our own create may still be on its way.
        for (const auto &c : std::as_const(m_creates)) {
            ours = ours || (c.version.promptName == e.version.promptName &&
                            c.version.templateText == e.version.templateText &&
                            c.version.message == e.version.message);
        }
        n.title = tr("%1 added v%2 to %3").arg(e.actor).arg(e.version.version).arg(e.prompt.name);
        n.detail = e.version.message.isEmpty() ? QString() : tr("“%1”").arg(e.version.message);
    } else {
        const quint32 to = labelVersion(e.prompt, e.label);
        ours = m_ours.contains(QStringLiteral("%1|%2|%3").arg(e.prompt.name, e.label).arg(to));
        // Shown at once; the audit log's entry (with the reason) follows.
        AuditEvent a;
        a.id = QStringLiteral("watch-%1-%2-%3").arg(e.prompt.name, e.label).arg(e.timeMs);
        a.timeMs = e.timeMs;
        a.actor = e.actor;
        a.action = QStringLiteral("label.move");
        a.target = QStringLiteral("prompt/") + e.prompt.name;
        a.oldValue = e.previousVersion
                         ? QStringLiteral("%1 -> %2").arg(e.label).arg(e.previousVersion)
                         : QString();
        a.newValue = QStringLiteral("%1 -> %2").arg(e.label).arg(to);
        if (!ours) // ours is in the timeline from the action log already
            emit labelEventSeen(a);
        if (e.prompt.name == m_selected || m_labelEvents.contains(e.prompt.name)) {
            auto &kept = m_labelEvents[e.prompt.name];
            kept.push_back(a);
            if (e.prompt.name == m_selected)
                showLabelHistory(e.prompt.name);
            m_client->listLabelHistory(e.prompt.name);
        }
        n.title = e.previousVersion ? tr("%1 moved %2 of %3: v%4 → v%5")
                                          .arg(e.actor, e.label, e.prompt.name)
                                          .arg(e.previousVersion)
                                          .arg(to)
                                    : tr("%1 created label %2 of %3 at v%4")
                                          .arg(e.actor, e.label, e.prompt.name)
                                          .arg(to);
        if (e.label == kProduction)
            n.severity = NotificationLog::Severity::Warning;
    }
    if (ours)
        return; // our own change: reported by the write flow
    m_notifications->add(n);
    emit m_session->message(n.detail.isEmpty() ? n.title
                                               : QStringLiteral("%1 (%2)").arg(n.title, n.detail));
}

// --- Kept locally ---

QMap<QString, QString> PromptsController::sampleValues(const QString &prompt) const
{
    return m_local.sampleValues(prompt);
}

void PromptsController::setSampleValues(const QString &prompt, const QMap<QString, QString> &values)
{
    m_local.setSampleValues(prompt, values);
}

std::optional<VersionDraft> PromptsController::draft(const QString &prompt) const
{
    return m_local.draft(prompt);
}

QStringList PromptsController::promptsWithDrafts() const
{
    return m_local.promptsWithDrafts();
}

void PromptsController::saveDraft(const VersionDraft &draft)
{
    m_local.saveDraft(draft);
}

void PromptsController::discardDraft(const QString &prompt)
{
    m_local.discardDraft(prompt);
}

} // namespace sb
