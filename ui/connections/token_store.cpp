#include "ui/connections/token_store.h"

#include <qt6keychain/keychain.h>

namespace sb {

namespace {

QString key(const QString &profile)
{
    return QStringLiteral("profile/") + profile;
}

QString sentence(const QKeychain::Job &job, const QString &profile)
{
    switch (job.error()) {
    case QKeychain::NoError:
        return {};
    case QKeychain::EntryNotFound:
        return TokenStore::tr("no token is kept in the keychain for profile \"%1\": enter it "
                              "under Profiles…")
            .arg(profile);
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        return TokenStore::tr("the keychain refused access to the token of \"%1\" (%2)")
            .arg(profile, job.errorString());
    default:
        // Without a Secret Service (no session bus, no keyring running)
        // QtKeychain reports OtherError, not NoBackendAvailable.
        return TokenStore::tr("the OS keychain cannot be reached (%1): start or unlock your "
                              "keyring (GNOME Keyring, KWallet), or take this profile's token "
                              "from an environment variable (Profiles…)")
            .arg(job.errorString());
    }
}

template <class Job> Job *makeJob(QObject *parent, const QString &profile)
{
    auto *job = new Job(QString::fromLatin1(TokenStore::kService), parent);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a plain-text file
    job->setKey(key(profile));
    return job;
}

} // namespace

TokenStore::TokenStore(QObject *parent) : QObject(parent) {}

void TokenStore::read(const QString &profile)
{
    auto *job = makeJob<QKeychain::ReadPasswordJob>(this, profile);
    connect(job, &QKeychain::Job::finished, this, [this, profile](QKeychain::Job *j) {
        auto *r = static_cast<QKeychain::ReadPasswordJob *>(j);
        const QString error = sentence(*r, profile);
        emit tokenRead(profile, error.isEmpty() ? r->textData() : QString(), error);
    });
    job->start();
}

void TokenStore::check(const QString &profile)
{
    auto *job = makeJob<QKeychain::ReadPasswordJob>(this, profile);
    connect(job, &QKeychain::Job::finished, this, [this, profile](QKeychain::Job *j) {
        if (j->error() == QKeychain::EntryNotFound)
            emit tokenChecked(profile, false, {});
        else
            emit tokenChecked(profile, j->error() == QKeychain::NoError, sentence(*j, profile));
    });
    job->start();
}

void TokenStore::write(const QString &profile, const QString &token)
{
    auto *job = makeJob<QKeychain::WritePasswordJob>(this, profile);
    job->setTextData(token);
    connect(job, &QKeychain::Job::finished, this, [this, profile](QKeychain::Job *j) {
        emit tokenWritten(profile, sentence(*j, profile));
    });
    job->start();
}

void TokenStore::remove(const QString &profile)
{
    auto *job = makeJob<QKeychain::DeletePasswordJob>(this, profile);
    connect(job, &QKeychain::Job::finished, this, [this, profile](QKeychain::Job *j) {
        emit tokenRemoved(profile, j->error() == QKeychain::EntryNotFound ? QString()
                                                                          : sentence(*j, profile));
    });
    job->start();
}

void TokenStore::move(const QString &from, const QString &to)
{
    auto *job = makeJob<QKeychain::ReadPasswordJob>(this, from);
    connect(job, &QKeychain::Job::finished, this, [this, from, to](QKeychain::Job *j) {
        if (j->error() == QKeychain::EntryNotFound) {
            emit tokenMoved(from, to, {});
            return;
        }
        if (j->error() != QKeychain::NoError) {
            emit tokenMoved(from, to, sentence(*j, from));
            return;
        }
        auto *w = makeJob<QKeychain::WritePasswordJob>(this, to);
        w->setTextData(static_cast<QKeychain::ReadPasswordJob *>(j)->textData());
        connect(w, &QKeychain::Job::finished, this, [this, from, to](QKeychain::Job *written) {
            if (written->error() != QKeychain::NoError) {
                emit tokenMoved(from, to, sentence(*written, to)); // the old entry stays
                return;
            }
            auto *d = makeJob<QKeychain::DeletePasswordJob>(this, from);
            connect(d, &QKeychain::Job::finished, this, [this, from, to](QKeychain::Job *) {
                emit tokenMoved(from, to, {}); // a stale old entry is harmless
            });
            d->start();
        });
        w->start();
    });
    job->start();
}

} // namespace sb
