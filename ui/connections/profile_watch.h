#pragma once

// ProfileWatch: notices when the settings file that keeps the profiles is
// written (by another running console's profile manager, or this one's), and
// reads the profiles again off the GUI thread. QSettings replaces the file
// when it writes, so the watch follows the path, not the file.

#include "ui/connections/profile.h"

#include <QObject>
#include <QTimer>

class QFileSystemWatcher;

namespace sb {

class ProfileWatch : public QObject
{
    Q_OBJECT
public:
    // settingsPath empty: the application's settings file.
    explicit ProfileWatch(const QString &settingsPath, QObject *parent = nullptr);

signals:
    // The stored profiles as the file has them now.
    void reloaded(const std::vector<sb::ConnectionProfile> &profiles);

private:
    void rewatch();
    void reload();

    QString m_settingsPath;
    QString m_file;
    QFileSystemWatcher *m_watcher;
    QTimer m_settle; // a burst of writes is read once
};

} // namespace sb
