#pragma once

// ProfileTransfer: a profile file written or read on a worker thread (the
// GUI thread never touches the disk). Each call ends in one signal, on the
// thread that made it.

#include "client/profile_file.h"

#include <QObject>

namespace sb {

class ProfileTransfer : public QObject
{
    Q_OBJECT
public:
    explicit ProfileTransfer(QObject *parent = nullptr) : QObject(parent) {}

    void write(const QString &path, const std::vector<ConnectionProfile> &profiles);
    void read(const QString &path);

signals:
    // error empty on success.
    void written(const QString &path, int count, const QString &error);
    // r.error says why nothing could be read (the file too).
    void readDone(const QString &path, const sb::profile_file::ReadResult &r);
};

} // namespace sb
