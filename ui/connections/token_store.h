#pragma once

// TokenStore: bearer tokens in the OS keychain (Secret Service, macOS
// Keychain, Windows Credential Store) through QtKeychain, one entry per
// profile name under the service "switchboard". QtKeychain's jobs are
// asynchronous, so nothing here waits; each answer is a signal. There is no
// plain-text fallback: without a keychain the error says so and the user can
// name an environment variable in the profile instead.

#include <QObject>
#include <QString>

namespace sb {

class TokenStore : public QObject
{
    Q_OBJECT
public:
    static constexpr const char *kService = "switchboard";

    explicit TokenStore(QObject *parent = nullptr);

    void read(const QString &profile);
    void write(const QString &profile, const QString &token);
    void remove(const QString &profile);
    // The entry of `from` kept under `to` instead (a renamed profile): read,
    // written under the new name, then removed under the old one. Nothing
    // kept under `from` is no error: there was nothing to move.
    void move(const QString &from, const QString &to);
    // Whether an entry is kept (its secret is read and dropped, never emitted).
    void check(const QString &profile);

signals:
    // error empty on success; a missing entry is an error ("no token is kept…").
    void tokenRead(const QString &profile, const QString &token, const QString &error);
    void tokenWritten(const QString &profile, const QString &error);
    void tokenRemoved(const QString &profile, const QString &error);
    void tokenMoved(const QString &from, const QString &to, const QString &error);
    // kept false and error empty: nothing is kept; error: the keychain could not say.
    void tokenChecked(const QString &profile, bool kept, const QString &error);
};

} // namespace sb
