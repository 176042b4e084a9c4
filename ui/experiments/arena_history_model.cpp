#include "ui/experiments/arena_history_model.h"

#include "ui/common/format.h"
#include "ui/common/palette.h"

namespace sb {

QString describeVote(const ArenaRun &run)
{
    QString text;
    switch (run.vote) {
    case ArenaVote::Prefer: {
        const ArenaOutput *o = run.output(run.preferredVariantId);
        const QString name = o ? o->variantName : run.preferredVariantId;
        text = run.blind && o ? ArenaHistoryModel::tr("%1 best (%2)").arg(o->label, name)
                              : ArenaHistoryModel::tr("%1 best").arg(name);
        break;
    }
    case ArenaVote::Tie:
        text = ArenaHistoryModel::tr("tie");
        break;
    case ArenaVote::AllBad:
        text = ArenaHistoryModel::tr("all bad");
        break;
    case ArenaVote::None:
        text =
            run.cancelled ? ArenaHistoryModel::tr("cancelled") : ArenaHistoryModel::tr("not voted");
        break;
    }
    if (!run.hallucinated.isEmpty())
        text += ArenaHistoryModel::tr(" · %n flagged", nullptr, int(run.hallucinated.size()));
    return text;
}

void ArenaHistoryModel::setRuns(std::vector<ArenaRun> runs)
{
    beginResetModel();
    m_runs = std::move(runs);
    endResetModel();
}

void ArenaHistoryModel::upsert(const ArenaRun &run)
{
    for (std::size_t i = 0; i < m_runs.size(); ++i) {
        if (m_runs[i].requestId == run.requestId) {
            m_runs[i] = run;
            emit dataChanged(index(int(i), 0), index(int(i), NB_COLUMNS - 1));
            return;
        }
    }
    beginInsertRows({}, 0, 0);
    m_runs.insert(m_runs.begin(), run);
    endInsertRows();
}

const ArenaRun *ArenaHistoryModel::run(const QString &requestId) const
{
    for (const auto &r : m_runs) {
        if (r.requestId == requestId)
            return &r;
    }
    return nullptr;
}

const ArenaRun *ArenaHistoryModel::runAt(int row) const
{
    return row >= 0 && row < int(m_runs.size()) ? &m_runs[std::size_t(row)] : nullptr;
}

int ArenaHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int ArenaHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant ArenaHistoryModel::data(const QModelIndex &index, int role) const
{
    const ArenaRun *r = runAt(index.row());
    if (!r)
        return {};
    if (role == RequestIdRole)
        return r->requestId;
    if (role == Qt::UserRole && index.column() == Time)
        return r->timeMs;
    if (role == Qt::ToolTipRole) {
        QStringList vars;
        for (auto it = r->variables.begin(); it != r->variables.end(); ++it)
            vars << QStringLiteral("%1 = %2").arg(it.key(), it.value());
        return tr("%1\n\nVariables: %2\n%3 · %4")
            .arg(r->input, vars.isEmpty() ? tr("none") : vars.join(QStringLiteral(", ")),
                 r->blind ? tr("blind") : tr("named"), formatTime(r->timeMs));
    }
    if (role == Qt::ForegroundRole && index.column() == Feedback &&
        r->feedbackStatus.startsWith(QLatin1String("not sent")))
        return palette::bad();
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Time:
        return formatClock(r->timeMs);
    case Input: {
        QString one = r->input.simplified();
        if (one.size() > 80)
            one = one.left(79) + QChar(0x2026);
        return one;
    }
    case Vote:
        return describeVote(*r);
    case Feedback:
        return r->feedbackStatus.isEmpty() ? QStringLiteral("—") : r->feedbackStatus;
    }
    return {};
}

QVariant ArenaHistoryModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("When");
    case Input:
        return tr("Input");
    case Vote:
        return tr("Vote");
    case Feedback:
        return tr("Feedback");
    }
    return {};
}

} // namespace sb
