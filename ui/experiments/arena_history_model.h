#pragma once

// ArenaHistoryModel: this console's earlier arena runs of the selected
// experiment, newest first (from the cache, so the list is there offline):
// when, the input, the vote and whether the feedback reached the service.

#include "core/arena_run.h"

#include <QAbstractTableModel>
#include <vector>

namespace sb {

class ArenaHistoryModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Time,
        Input,
        Vote,
        Feedback,
        NB_COLUMNS
    };
    enum Role
    {
        RequestIdRole = Qt::UserRole + 1
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setRuns(std::vector<ArenaRun> runs);
    // Inserts a new run at the top or updates it in place (same request id).
    void upsert(const ArenaRun &run);
    const std::vector<ArenaRun> &runs() const { return m_runs; }
    const ArenaRun *run(const QString &requestId) const;
    const ArenaRun *runAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    std::vector<ArenaRun> m_runs;
};

// "B best (concise)", "tie", "all bad", "not voted", plus "· 1 flagged".
QString describeVote(const ArenaRun &run);

} // namespace sb
