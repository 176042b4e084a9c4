// ProfileManagerDialog's Import and Export (the file work is ProfileTransfer's,
// the format client/profile_file's).

#include "ui/connections/profile_manager_dialog.h"
#include "ui/connections/profile_transfer.h"

#include <QFileInfo>
#include <QLabel>
#include <QListWidget>

namespace sb {

QStringList ProfileManagerDialog::selectedNames() const
{
    QStringList names;
    for (int r = 0; r < m_list->count(); ++r) {
        if (m_list->item(r)->isSelected() && r < int(m_profiles.size()))
            names << m_profiles[std::size_t(r)].name;
    }
    if (names.isEmpty() && m_row >= 0 && m_row < int(m_profiles.size()))
        names << m_profiles[std::size_t(m_row)].name;
    return names;
}

void ProfileManagerDialog::exportProfiles(const QString &path, const QStringList &names)
{
    // The form's edits are part of what the user sees: export those.
    if (m_row >= 0 && !apply()) {
        emit transferFinished(m_status->text(), false);
        return;
    }
    std::vector<ConnectionProfile> chosen;
    for (const QString &n : names) {
        if (const ConnectionProfile *p = findProfile(m_profiles, n))
            chosen.push_back(*p);
    }
    auto *t = m_transfer;
    connect(
        t, &ProfileTransfer::written, this,
        [this](const QString &to, int count, const QString &error) {
            const QString sentence =
                error.isEmpty() ? tr("Exported %1 profile(s) to %2. The file holds no token "
                                     "or key: each machine keeps its own.")
                                      .arg(count)
                                      .arg(QFileInfo(to).fileName())
                                : error;
            setStatus(sentence, !error.isEmpty());
            emit transferFinished(sentence, error.isEmpty());
        },
        Qt::SingleShotConnection);
    t->write(path, chosen);
}

void ProfileManagerDialog::importProfiles(const QString &path)
{
    if (m_row >= 0 && !apply()) {
        emit transferFinished(m_status->text(), false);
        return;
    }
    connect(
        m_transfer, &ProfileTransfer::readDone, this,
        [this](const QString &, const profile_file::ReadResult &r) { imported(r); },
        Qt::SingleShotConnection);
    m_transfer->read(path);
}

void ProfileManagerDialog::imported(const profile_file::ReadResult &r)
{
    if (!r.error.isEmpty()) {
        setStatus(tr("Nothing imported. %1").arg(r.error), true);
        emit transferFinished(m_status->text(), false);
        return;
    }
    const profile_file::MergeResult m = profile_file::merge(m_profiles, r.profiles);
    QStringList lines{m.summary()};
    constexpr qsizetype kShown = 4;
    for (qsizetype i = 0; i < std::min(kShown, r.refused.size()); ++i)
        lines << tr("Not imported: %1").arg(r.refused[i]);
    if (r.refused.size() > kShown)
        lines << tr("… and %1 more not imported.").arg(r.refused.size() - kShown);
    lines << r.notes;
    if (!m.added.isEmpty()) {
        m_profiles = m.profiles;
        refreshList();
        // The added profiles selected (ready to export again), the first one in the form.
        const int first = int(m_profiles.size() - std::size_t(m.added.size()));
        m_list->setCurrentRow(first);
        m_list->clearSelection(); // after select(), whose apply() rebuilds the list
        for (int r = first; r < m_list->count(); ++r)
            m_list->item(r)->setSelected(true);
        emit profilesSaved(m_profiles);
    }
    const bool ok = !m.added.isEmpty() || (r.refused.isEmpty() && !m.unchanged.isEmpty());
    setStatus(lines.join(QLatin1Char('\n')), !ok || !r.refused.isEmpty());
    emit transferFinished(m_status->text(), ok);
}

} // namespace sb
