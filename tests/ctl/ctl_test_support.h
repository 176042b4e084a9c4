#pragma once

// What the switchboard-ctl tests share: a real sim on 127.0.0.1 port 0 with
// tokens for alice and bob (operators), vera (viewer) and root (admin), a
// private settings folder and cache file, two contexts ("dev" and "prod",
// both the sim, tokens from $SB_TOKEN), and a way to run the real
// switchboard-ctl binary as a process and read its exit code, output and JSON.

#include "sim/sim_server.h"

#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <memory>

namespace sb::test {

struct CtlRun
{
    int code = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json() const; // stdout parsed; fails the test when it is not JSON
};

class CtlFixture
{
public:
    CtlFixture(); // starts the sim, adds the contexts
    ~CtlFixture();

    // Runs switchboard-ctl with args as `token` (put in $SB_TOKEN).
    CtlRun run(const QStringList &args, const QString &token = QStringLiteral("alice-token"),
               const QByteArray &stdinData = {}, const QMap<QString, QString> &extraEnv = {}) const;
    // The environment the binary gets (settings, cache, token).
    QProcessEnvironment env(const QString &token) const;
    // A started, not yet finished process (for --watch).
    std::unique_ptr<QProcess> start(const QStringList &args,
                                    const QString &token = QStringLiteral("alice-token")) const;

    QString address() const { return QString::fromStdString(m_sim->address()); }
    QString cachePath() const { return m_dir.filePath(QStringLiteral("cache.sqlite")); }
    QString configDir() const { return m_dir.filePath(QStringLiteral("config")); }
    sim::SimServer &sim() { return *m_sim; }
    void stopSim() { m_sim->shutdown(); }

    static QString binary();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<sim::SimServer> m_sim;
};

// The route called name in a `routes -o json` answer.
QJsonObject findByName(const QJsonObject &answer, const QString &list, const QString &name,
                       const QString &field = QStringLiteral("name"));

} // namespace sb::test
