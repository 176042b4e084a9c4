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
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return TokenStore::tr("no OS keychain is available here (%1): unlock or start one, or "
                              "take the token from an environment variable")
            .arg(job.errorString());
    default:
        return TokenStore::tr("the keychain failed (%1): is it unlocked?").arg(job.errorString());
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

} // namespace sb
