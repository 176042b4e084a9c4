#include "ui/prompts/prompt_local_store.h"

#include <QDateTime>
#include <QSettings>
#include <QUrl>

namespace sb {

PromptLocalStore::PromptLocalStore(std::function<QString()> endpointKey)
    : m_endpointKey(std::move(endpointKey))
{
    m_pool.setMaxThreadCount(1); // writes land in the order they were made
}

PromptLocalStore::~PromptLocalStore()
{
    flush();
}

void PromptLocalStore::flush()
{
    m_pool.waitForDone();
}

QString PromptLocalStore::key(const QString &kind, const QString &prompt) const
{
    // Endpoints hold ':' and '/'; keep each one a single settings group.
    const QString endpoint =
        QString::fromLatin1(QUrl::toPercentEncoding(m_endpointKey(), {}, "/:"));
    QString k = QStringLiteral("prompts/%1/%2").arg(kind, endpoint);
    if (!prompt.isEmpty())
        k += QLatin1Char('/') + prompt;
    return k;
}

void PromptLocalStore::write(const QString &key, const QVariant &value)
{
    // A QSettings per thread is safe; they share one in-memory copy.
    m_pool.start([key, value] {
        QSettings s;
        if (value.isValid())
            s.setValue(key, value);
        else
            s.remove(key);
        s.sync();
    });
}

QString PromptLocalStore::lastSelected() const
{
    return QSettings().value(key(QStringLiteral("selected"))).toString();
}

void PromptLocalStore::setLastSelected(const QString &prompt)
{
    write(key(QStringLiteral("selected")), prompt);
}

QMap<QString, QString> PromptLocalStore::sampleValues(const QString &prompt) const
{
    QMap<QString, QString> out;
    const QVariantMap m = QSettings().value(key(QStringLiteral("samples"), prompt)).toMap();
    for (auto it = m.begin(); it != m.end(); ++it)
        out.insert(it.key(), it.value().toString());
    return out;
}

void PromptLocalStore::setSampleValues(const QString &prompt, const QMap<QString, QString> &values)
{
    if (prompt.isEmpty())
        return;
    QVariantMap m;
    for (auto it = values.begin(); it != values.end(); ++it)
        m.insert(it.key(), it.value());
    write(key(QStringLiteral("samples"), prompt), m);
}

std::optional<VersionDraft> PromptLocalStore::draft(const QString &prompt) const
{
    if (prompt.isEmpty())
        return std::nullopt;
    const QByteArray json = QSettings().value(key(QStringLiteral("drafts"), prompt)).toByteArray();
    if (json.isEmpty())
        return std::nullopt;
    return VersionDraft::fromJson(json);
}

QStringList PromptLocalStore::promptsWithDrafts() const
{
    QSettings s;
    s.beginGroup(key(QStringLiteral("drafts")));
    return s.childKeys();
}

void PromptLocalStore::saveDraft(const VersionDraft &draft)
{
    if (draft.prompt.isEmpty())
        return;
    VersionDraft d = draft;
    d.savedMs = QDateTime::currentMSecsSinceEpoch();
    write(key(QStringLiteral("drafts"), d.prompt), d.toJson());
}

void PromptLocalStore::discardDraft(const QString &prompt)
{
    if (!prompt.isEmpty())
        write(key(QStringLiteral("drafts"), prompt), {});
}

std::optional<VersionDraft> PromptLocalStore::newPromptDraft() const
{
    const QByteArray json =
        QSettings().value(key(QStringLiteral("new-prompt-draft"))).toByteArray();
    if (json.isEmpty())
        return std::nullopt;
    return VersionDraft::fromJson(json, /*requireName=*/false);
}

void PromptLocalStore::saveNewPromptDraft(const VersionDraft &draft)
{
    VersionDraft d = draft;
    d.savedMs = QDateTime::currentMSecsSinceEpoch();
    write(key(QStringLiteral("new-prompt-draft")), d.toJson());
}

void PromptLocalStore::discardNewPromptDraft()
{
    write(key(QStringLiteral("new-prompt-draft")), {});
}

} // namespace sb
