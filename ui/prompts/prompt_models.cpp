#include "ui/prompts/prompt_models.h"

#include "ui/common/format.h"

#include <QDateTime>
#include <QFont>

namespace sb {

static QString labelsOf(const Prompt &p, quint32 version = 0)
{
    QStringList out;
    for (const auto &l : p.labels) {
        if (version == 0)
            out << QStringLiteral("%1→v%2").arg(l.name).arg(l.version);
        else if (l.version == version)
            out << l.name;
    }
    return out.join(QStringLiteral(", "));
}

void PromptListModel::setPrompts(std::vector<Prompt> prompts)
{
    beginResetModel();
    m_prompts = std::move(prompts);
    endResetModel();
}

const Prompt *PromptListModel::promptAt(int row) const
{
    if (row < 0 || row >= int(m_prompts.size()))
        return nullptr;
    return &m_prompts[std::size_t(row)];
}

int PromptListModel::rowOf(const QString &name) const
{
    for (std::size_t i = 0; i < m_prompts.size(); ++i) {
        if (m_prompts[i].name == name)
            return int(i);
    }
    return -1;
}

int PromptListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_prompts.size());
}

int PromptListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant PromptListModel::data(const QModelIndex &index, int role) const
{
    const Prompt *p = promptAt(index.row());
    if (!p)
        return {};
    if (role == PromptNameRole)
        return p->name;
    if (role == FilterRole) {
        QStringList words{p->name, p->description};
        for (const auto &l : p->labels)
            words << l.name;
        return words.join(QLatin1Char('\n'));
    }
    if (role == Qt::UserRole) {
        switch (index.column()) {
        case Latest:
            return p->latestVersion;
        case Updated:
            return p->updatedMs;
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole)
        return p->description;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name:
        return p->name;
    case Latest:
        return QStringLiteral("v%1").arg(p->latestVersion);
    case Labels:
        return labelsOf(*p);
    case Updated:
        return formatTime(p->updatedMs);
    case Description:
        return p->description;
    }
    return {};
}

QVariant PromptListModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Prompt");
    case Latest:
        return tr("Latest");
    case Labels:
        return tr("Labels");
    case Updated:
        return tr("Updated");
    case Description:
        return tr("Description");
    }
    return {};
}

void VersionListModel::setVersions(const Prompt &prompt, std::vector<PromptVersion> versions)
{
    beginResetModel();
    m_prompt = prompt;
    m_versions = std::move(versions);
    std::sort(m_versions.begin(), m_versions.end(),
              [](const auto &a, const auto &b) { return a.version > b.version; });
    endResetModel();
}

void VersionListModel::clear()
{
    beginResetModel();
    m_prompt = {};
    m_versions.clear();
    endResetModel();
}

const PromptVersion *VersionListModel::versionAt(int row) const
{
    if (row < 0 || row >= int(m_versions.size()))
        return nullptr;
    return &m_versions[std::size_t(row)];
}

int VersionListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_versions.size());
}

int VersionListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant VersionListModel::data(const QModelIndex &index, int role) const
{
    const PromptVersion *v = versionAt(index.row());
    if (!v)
        return {};
    if (role == Qt::FontRole && index.column() == Labels) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Version:
        return v->parentVersion
                   ? QStringLiteral("v%1 (from v%2)").arg(v->version).arg(v->parentVersion)
                   : QStringLiteral("v%1").arg(v->version);
    case Labels:
        return labelsOf(m_prompt, v->version);
    case Author:
        return v->author;
    case Message:
        return v->message;
    case Model:
        return v->model;
    case Created:
        return formatTime(v->createdMs);
    }
    return {};
}

QVariant VersionListModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Version:
        return tr("Version");
    case Labels:
        return tr("Labels");
    case Author:
        return tr("Author");
    case Message:
        return tr("Message");
    case Model:
        return tr("Model");
    case Created:
        return tr("Created");
    }
    return {};
}

} // namespace sb
