#include "ui/connections/profile_resolver.h"

#include "ui/connections/token_store.h"

#include <QFile>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace sb {

ProfileResolver::ProfileResolver(QObject *parent) : QObject(parent), m_tokens(new TokenStore(this))
{
    connect(m_tokens, &TokenStore::tokenRead, this,
            [this](const QString &profile, const QString &token, const QString &error) {
                if (profile == m_profile.name)
                    finish(m_generation, token, error);
            });
}

void ProfileResolver::resolve(const ConnectionProfile &profile)
{
    m_profile = profile;
    const quint64 gen = ++m_generation;
    auto *watcher = new QFutureWatcher<Files>(this);
    connect(watcher, &QFutureWatcher<Files>::finished, this, [this, watcher, gen] {
        haveFiles(gen, watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run(&ProfileResolver::readFiles, profile));
}

ProfileResolver::Files ProfileResolver::readFiles(const ConnectionProfile &p)
{
    Files f;
    auto read = [&f](const QString &path, const char *what, QByteArray *out) {
        if (path.isEmpty() || !f.error.isEmpty())
            return;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            f.error = tr("cannot read the %1 %2 (%3): check the path in the profile")
                          .arg(tr(what), path, file.errorString());
            return;
        }
        *out = file.readAll();
        if (!out->contains("-----BEGIN "))
            f.error = tr("the %1 %2 is not a PEM file").arg(tr(what), path);
    };
    if (p.tls) {
        read(p.caFile, "CA file", &f.ca);
        read(p.clientCertFile, "client certificate", &f.cert);
        read(p.clientKeyFile, "client key", &f.key);
    }
    return f;
}

void ProfileResolver::haveFiles(quint64 generation, const Files &files)
{
    if (generation != m_generation)
        return;
    if (!files.error.isEmpty()) {
        emit failed(files.error);
        return;
    }
    m_spec = ChannelSpec{};
    m_spec.target = m_profile.endpoint.trimmed();
    m_spec.tls = m_profile.tls;
    m_spec.caPem = files.ca;
    m_spec.clientCertPem = files.cert;
    m_spec.clientKeyPem = files.key;
    m_spec.metadata = m_profile.metadata;
    switch (m_profile.tokenSource) {
    case ConnectionProfile::TokenSource::Keychain:
        m_tokens->read(m_profile.name);
        return;
    case ConnectionProfile::TokenSource::Environment: {
        const QString token =
            qEnvironmentVariable(m_profile.tokenVariable.toLocal8Bit().constData());
        finish(generation, token,
               token.isEmpty()
                   ? tr("the environment variable %1, which holds this profile's token, is not "
                        "set")
                         .arg(m_profile.tokenVariable)
                   : QString());
        return;
    }
    case ConnectionProfile::TokenSource::None:
        finish(generation, {}, {});
        return;
    }
}

void ProfileResolver::finish(quint64 generation, const QString &token, const QString &error)
{
    if (generation != m_generation)
        return;
    if (!error.isEmpty()) {
        emit failed(error);
        return;
    }
    m_spec.token = token;
    emit resolved(m_spec);
    m_spec = ChannelSpec{}; // the token does not stay here
}

} // namespace sb
