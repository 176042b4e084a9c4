#pragma once

// Table models for the Prompts page: the prompt list, the selected prompt's
// versions as a timeline (with every label where it points) and the history
// of its label moves. Real QAbstractTableModels over core types; sorting and
// searching are proxies (ui/common/table_setup.h), so the models stay in
// their natural order. Qt::UserRole is each column's sort key.

#include "core/label_history.h"
#include "core/types.h"

#include <QAbstractTableModel>
#include <QColor>
#include <vector>

namespace sb {

// The labels of `prompt` that point at `version`, production first.
QStringList labelsAt(const Prompt &prompt, quint32 version);
// The version `label` points at, 0 if the prompt has no such label.
quint32 labelVersion(const Prompt &prompt, const QString &label);

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
    // One prompt changed (a label moved, a version added): updated in place,
    // or appended if new, without a reset.
    void updatePrompt(const Prompt &prompt);
    const std::vector<Prompt> &prompts() const { return m_prompts; }
    const Prompt *promptAt(int row) const;
    const Prompt *prompt(const QString &name) const;
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
        Parameters,
        Created,
        NB_COLUMNS
    };
    enum Role
    {
        VersionRole = Qt::UserRole + 1, // the version number
        LabelsRole,                     // QStringList of labels pointing here
        ParentRole                      // the parent version number
    };

    using QAbstractTableModel::QAbstractTableModel;

    // Newest first whatever order they come in.
    void setVersions(const Prompt &prompt, std::vector<PromptVersion> versions);
    // The prompt's labels moved: the Labels column updates in place.
    void setPrompt(const Prompt &prompt);
    void clear();
    const Prompt &prompt() const { return m_prompt; }
    const std::vector<PromptVersion> &versions() const { return m_versions; }
    const PromptVersion *versionAt(int row) const;
    int rowOf(quint32 version) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    Prompt m_prompt;
    std::vector<PromptVersion> m_versions;
};

class LabelHistoryModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Time,
        Label,
        Move,
        Actor,
        Reason,
        NB_COLUMNS
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setMoves(std::vector<LabelMove> movesNewestFirst);
    const std::vector<LabelMove> &moves() const { return m_moves; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    std::vector<LabelMove> m_moves;
};

// The colour a label's chip is drawn in (production stands out).
QColor labelColour(const QString &label);

} // namespace sb
