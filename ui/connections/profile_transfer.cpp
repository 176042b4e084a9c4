#include "ui/connections/profile_transfer.h"

#include <QFile>
#include <QFutureWatcher>
#include <QSaveFile>
#include <QtConcurrent/QtConcurrentRun>

namespace sb {

namespace {

template <class T, class Fn, class Done> void offThread(QObject *owner, Fn work, Done done)
{
    auto *watcher = new QFutureWatcher<T>(owner);
    QObject::connect(watcher, &QFutureWatcher<T>::finished, owner, [watcher, done] {
        done(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run(std::move(work)));
}

} // namespace

void ProfileTransfer::write(const QString &path, const std::vector<ConnectionProfile> &profiles)
{
    const int count = int(profiles.size());
    offThread<QString>(
        this,
        [path, bytes = profile_file::write(profiles)] {
            QSaveFile f(path); // all or nothing: a failed write leaves the old file
            if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
                return tr("Could not write %1: %2.").arg(path, f.errorString());
            return QString();
        },
        [this, path, count](const QString &error) { emit written(path, count, error); });
}

void ProfileTransfer::read(const QString &path)
{
    offThread<profile_file::ReadResult>(
        this,
        [path] {
            QFile f(path);
            profile_file::ReadResult r;
            if (!f.open(QIODevice::ReadOnly)) {
                r.error = tr("Could not open %1: %2.").arg(path, f.errorString());
                return r;
            }
            // One byte more than the limit, so read() can say the file is too large.
            return profile_file::read(f.read(profile_file::kMaxBytes + 1));
        },
        [this, path](const profile_file::ReadResult &r) { emit readDone(path, r); });
}

} // namespace sb
