#pragma once

// Table models for the Prompts page: the prompt list and the versions of the
// selected prompt. Real QAbstractTableModels over core types.

#include "core/types.h"

#include <QAbstractTableModel>
#include <vector>

namespace sb {

class PromptListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Latest,
        Labels,
        Updated,
        Description,
        NB_COLUMNS
    };
    enum Role
    {
        // Qt::UserRole is the sort key (table_setup's proxy sorts by it).
        PromptNameRole = Qt::UserRole + 1,
        // What the search box matches: name, description and label names.
        FilterRole
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setPrompts(std::vector<Prompt> prompts);
    const std::vector<Prompt> &prompts() const { return m_prompts; }
    const Prompt *promptAt(int row) const;
    int rowOf(const QString &name) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    std::vector<Prompt> m_prompts;
};

class VersionListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Version,
        Labels,
        Author,
        Message,
        Model,
        Created,
        NB_COLUMNS
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setVersions(const Prompt &prompt, std::vector<PromptVersion> versions);
    void clear();
    const PromptVersion *versionAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    Prompt m_prompt;
    std::vector<PromptVersion> m_versions;
};

} // namespace sb
