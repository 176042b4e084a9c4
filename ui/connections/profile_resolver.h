#pragma once

// ProfileResolver: turns a profile into a ChannelSpec without blocking the
// GUI thread: certificate files are read on a worker thread, the token comes
// from the keychain (asynchronously) or the environment variable the profile
// names. One resolve at a time; a newer one supersedes an older one.

#include "client/channel_spec.h"
#include "ui/connections/profile.h"

#include <QObject>

namespace sb {

class TokenStore;

class ProfileResolver : public QObject
{
    Q_OBJECT
public:
    explicit ProfileResolver(QObject *parent = nullptr);

    void resolve(const ConnectionProfile &profile);

signals:
    void resolved(const sb::ChannelSpec &spec);
    // What is wrong, as a sentence naming the file, the keychain or the variable.
    void failed(const QString &why);

private:
    struct Files
    {
        QByteArray ca, cert, key;
        QString error;
    };
    static Files readFiles(const ConnectionProfile &p);
    void haveFiles(quint64 generation, const Files &files);
    void finish(quint64 generation, const QString &token, const QString &error);

    ConnectionProfile m_profile;
    ChannelSpec m_spec;
    TokenStore *m_tokens;
    quint64 m_generation = 0;
};

} // namespace sb
