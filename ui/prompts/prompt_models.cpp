#include "ui/prompts/prompt_models.h"

#include "core/clock.h"
#include "core/prompt_diff.h"
#include "ui/common/format.h"
#include "ui/common/palette.h"

#include <QDateTime>
#include <QFont>
#include <algorithm>

namespace sb {

QStringList labelsAt(const Prompt &p, quint32 version)
{
    QStringList out;
    for (const auto &l : p.labels) {
        if (l.version == version)
            out << l.name;
    }
    std::stable_sort(out.begin(), out.end(), [](const QString &a, const QString &b) {
        const bool pa = a == QLatin1String("production"), pb = b == QLatin1String("production");
        if (pa != pb)
            return pa;
        return a < b;
    });
    return out;
}

quint32 labelVersion(const Prompt &p, const QString &label)
{
    for (const auto &l : p.labels) {
        if (l.name == label)
            return l.version;
    }
    return 0;
}

QColor labelColour(const QString &label)
{
    if (label == QLatin1String("production"))
        return palette::good();
    if (label == QLatin1String("staging"))
        return palette::warn();
    // Any other label: a stable colour from its name, dark enough for white text.
    const uint h = qHash(label) % 360;
    return QColor::fromHsl(int(h), 120, 95);
}

static QString labelSummary(const Prompt &p)
{
    QStringList out;
    std::vector<PromptLabel> labels = p.labels;
    std::stable_sort(labels.begin(), labels.end(), [](const auto &a, const auto &b) {
        const bool pa = a.name == QLatin1String("production");
        const bool pb = b.name == QLatin1String("production");
        return pa != pb ? pa : a.name < b.name;
    });
    for (const auto &l : labels)
        out << QStringLiteral("%1 v%2").arg(l.name).arg(l.version);
    return out.join(QStringLiteral(" · "));
}

// --- PromptListModel ---

void PromptListModel::setPrompts(std::vector<Prompt> prompts)
{
    beginResetModel();
    m_prompts = std::move(prompts);
    endResetModel();
}

void PromptListModel::updatePrompt(const Prompt &prompt)
{
    const int row = rowOf(prompt.name);
    if (row < 0) {
        beginInsertRows({}, int(m_prompts.size()), int(m_prompts.size()));
        m_prompts.push_back(prompt);
        endInsertRows();
        return;
    }
    if (m_prompts[std::size_t(row)] == prompt)
        return;
    m_prompts[std::size_t(row)] = prompt;
    emit dataChanged(index(row, 0), index(row, NB_COLUMNS - 1));
}

const Prompt *PromptListModel::promptAt(int row) const
{
    if (row < 0 || row >= int(m_prompts.size()))
        return nullptr;
    return &m_prompts[std::size_t(row)];
}

const Prompt *PromptListModel::prompt(const QString &name) const
{
    return promptAt(rowOf(name));
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
    if (role == Qt::ToolTipRole) {
        if (index.column() == Updated)
            return formatTime(p->updatedMs);
        return p->description.isEmpty() ? QVariant() : QVariant(p->description);
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name:
        return p->name;
    case Latest:
        return QStringLiteral("v%1").arg(p->latestVersion);
    case Labels:
        return labelSummary(*p);
    case Updated:
        // Short in the list; the exact time is the tooltip.
        return p->updatedMs > 0 ? formatAge(clock::nowMs() - p->updatedMs) : QStringLiteral("—");
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

// --- VersionListModel ---

void VersionListModel::setVersions(const Prompt &prompt, std::vector<PromptVersion> versions)
{
    beginResetModel();
    m_prompt = prompt;
    m_versions = std::move(versions);
    std::sort(m_versions.begin(), m_versions.end(),
              [](const auto &a, const auto &b) { return a.version > b.version; });
    endResetModel();
}

void VersionListModel::setPrompt(const Prompt &prompt)
{
    if (prompt == m_prompt)
        return;
    m_prompt = prompt;
    if (!m_versions.empty())
        emit dataChanged(index(0, Labels), index(int(m_versions.size()) - 1, Labels));
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

int VersionListModel::rowOf(quint32 version) const
{
    for (std::size_t i = 0; i < m_versions.size(); ++i) {
        if (m_versions[i].version == version)
            return int(i);
    }
    return -1;
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
    switch (role) {
    case VersionRole:
        return v->version;
    case ParentRole:
        return v->parentVersion;
    case LabelsRole:
        return labelsAt(m_prompt, v->version);
    case Qt::UserRole:
        switch (index.column()) {
        case Version:
            return v->version;
        case Labels:
            return int(labelsAt(m_prompt, v->version).size());
        case Created:
            return v->createdMs;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Version:
            return v->parentVersion
                       ? tr("v%1, written from v%2").arg(v->version).arg(v->parentVersion)
                       : tr("v%1, the first version").arg(v->version);
        case Labels: {
            QStringList lines;
            for (const auto &l : m_prompt.labels) {
                if (l.version == v->version)
                    lines << tr("%1 since %2 (moved by %3)")
                                 .arg(l.name, formatTime(l.updatedMs),
                                      l.updatedBy.isEmpty() ? tr("unknown") : l.updatedBy);
            }
            return lines.isEmpty() ? QVariant() : QVariant(lines.join(QLatin1Char('\n')));
        }
        case Created:
            return formatTime(v->createdMs);
        case Message:
            return v->message.isEmpty() ? QVariant() : QVariant(v->message);
        default:
            return {};
        }
    case Qt::DisplayRole:
        switch (index.column()) {
        case Version:
            return v->parentVersion && v->parentVersion + 1 != v->version
                       ? tr("v%1 (from v%2)").arg(v->version).arg(v->parentVersion)
                       : QStringLiteral("v%1").arg(v->version);
        case Labels:
            return labelsAt(m_prompt, v->version).join(QStringLiteral(", "));
        case Author:
            return v->author;
        case Message:
            return v->message;
        case Model:
            return v->model;
        case Parameters:
            return describeParams(v->params);
        case Created:
            return formatTime(v->createdMs);
        }
        return {};
    default:
        return {};
    }
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
    case Parameters:
        return tr("Parameters");
    case Created:
        return tr("Created");
    }
    return {};
}

// --- LabelHistoryModel ---

void LabelHistoryModel::setMoves(std::vector<LabelMove> moves)
{
    if (moves == m_moves)
        return;
    beginResetModel();
    m_moves = std::move(moves);
    endResetModel();
}

int LabelHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_moves.size());
}

int LabelHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant LabelHistoryModel::data(const QModelIndex &index, int role) const
{
    if (index.row() < 0 || index.row() >= int(m_moves.size()))
        return {};
    const LabelMove &m = m_moves[std::size_t(index.row())];
    if (role == Qt::UserRole) {
        if (index.column() == Time)
            return m.timeMs;
        if (index.column() == Move)
            return m.to;
        return {};
    }
    if (role == Qt::ForegroundRole && index.column() == Label)
        return labelColour(m.label);
    if (role == Qt::FontRole && index.column() == Label) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (role == Qt::ToolTipRole && index.column() == Time)
        return formatTime(m.timeMs);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Time:
        return formatTime(m.timeMs);
    case Label:
        return m.label;
    case Move:
        if (m.from == 0)
            return tr("created at v%1").arg(m.to);
        return m.to < m.from ? tr("v%1 → v%2 (back)").arg(m.from).arg(m.to)
                             : tr("v%1 → v%2").arg(m.from).arg(m.to);
    case Actor:
        return m.actor;
    case Reason:
        return m.reason;
    }
    return {};
}

QVariant LabelHistoryModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("When");
    case Label:
        return tr("Label");
    case Move:
        return tr("Move");
    case Actor:
        return tr("Who");
    case Reason:
        return tr("Reason");
    }
    return {};
}

} // namespace sb
