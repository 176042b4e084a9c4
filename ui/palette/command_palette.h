#pragma once

// The command palette (Ctrl+K): one list over every page, every action of
// every page and every object the console knows (routes, models, prompts,
// experiments, profiles), filtered as the user types (CommandIndex: fuzzy,
// acronyms, recent choices first). Each row shows its kind, where it lives
// and its shortcut, so using the palette teaches the keys. Enter runs the
// row; a row that cannot run now says why instead. Risky actions run the same
// path as their button: the guarded-change dialog.

#include "core/command_index.h"

#include <QAbstractListModel>
#include <QDialog>
#include <QHash>

class QLineEdit;
class QListView;
class QLabel;

namespace sb {

class CommandListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role
    {
        KindRole = Qt::UserRole + 1,
        DetailRole,
        ShortcutRole,
        HitsRole, // QList<int>: title positions the query matched
        EnabledRole,
    };
    explicit CommandListModel(QObject *parent = nullptr) : QAbstractListModel(parent) {}
    void setMatches(const CommandIndex *index, std::vector<CommandMatch> matches);
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    int entryAt(int row) const;

private:
    const CommandIndex *m_index = nullptr;
    std::vector<CommandMatch> m_matches;
};

class CommandPalette : public QDialog
{
    Q_OBJECT
public:
    explicit CommandPalette(QWidget *parent = nullptr);

    // Replaces what the palette offers (called each time it opens, so it
    // lists what exists and what is allowed now).
    void setEntries(std::vector<CommandEntry> entries, QHash<QString, qint64> recents,
                    qint64 nowMs);
    // Opens it over the parent, query cleared, focus in the search box.
    void popup();

    QLineEdit *queryEdit() const { return m_query; }
    QListView *list() const { return m_list; }
    CommandListModel *model() const { return m_model; }
    const CommandIndex &index() const { return m_index; }

signals:
    // After a row ran (its id, for the recent choices).
    void chosen(const QString &id);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refilter();
    void runCurrent();

    CommandIndex m_index;
    QLineEdit *m_query;
    QListView *m_list;
    QLabel *m_hint;
    CommandListModel *m_model;
};

} // namespace sb
