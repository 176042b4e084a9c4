#include "ui/connections/profile_watch.h"

#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QFutureWatcher>
#include <QSettings>
#include <QtConcurrent/QtConcurrentRun>

namespace sb {

namespace {

std::unique_ptr<QSettings> settingsAt(const QString &path)
{
    return path.isEmpty() ? std::make_unique<QSettings>()
                          : std::make_unique<QSettings>(path, QSettings::IniFormat);
}

} // namespace

ProfileWatch::ProfileWatch(const QString &settingsPath, QObject *parent)
    : QObject(parent), m_settingsPath(settingsPath), m_file(settingsAt(settingsPath)->fileName()),
      m_watcher(new QFileSystemWatcher(this))
{
    m_settle.setSingleShot(true);
    m_settle.setInterval(150);
    connect(&m_settle, &QTimer::timeout, this, &ProfileWatch::reload);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, [this] {
        rewatch();
        m_settle.start();
    });
    // The directory too: a replaced file is a new one the watch must pick up.
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] {
        if (!m_watcher->files().contains(m_file) && QFileInfo::exists(m_file)) {
            rewatch();
            m_settle.start();
        }
    });
    rewatch();
}

void ProfileWatch::rewatch()
{
    const QString dir = QFileInfo(m_file).absolutePath();
    if (!m_watcher->directories().contains(dir) && QFileInfo::exists(dir))
        m_watcher->addPath(dir);
    if (!m_watcher->files().contains(m_file) && QFileInfo::exists(m_file))
        m_watcher->addPath(m_file);
}

void ProfileWatch::reload()
{
    auto *watcher = new QFutureWatcher<std::vector<ConnectionProfile>>(this);
    connect(watcher, &QFutureWatcher<std::vector<ConnectionProfile>>::finished, this,
            [this, watcher] {
                emit reloaded(watcher->result());
                watcher->deleteLater();
            });
    watcher->setFuture(QtConcurrent::run([path = m_settingsPath] {
        auto s = settingsAt(path);
        return profile_store::load(*s);
    }));
}

} // namespace sb
