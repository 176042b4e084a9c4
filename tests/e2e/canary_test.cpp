// A canary token must never leave memory: the sim (its own process, mTLS,
// role tokens) and the console (its own process, offscreen, a prod profile
// from a settings file, the token from the environment variable the profile
// names) run for real; afterwards the token appears in none of the cache
// file (and its WAL), the settings folder, the console's stdout and stderr,
// nor what it prints when it crashes.

#include "../support/test_certs.h"
#include "ui/connections/profile.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QThread>
#include <csignal>
#include <gtest/gtest.h>

namespace {

const QByteArray kCanary = "canary-5f0e-token-d41d8cd9";

QString startSim(QProcess &sim, const sb::test::TestCerts &certs, const QString &tokens)
{
    sim.setProgram(QStringLiteral(SB_SIM_EXE));
    sim.setArguments({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                      QStringLiteral("--rate"), QStringLiteral("500"), QStringLiteral("--tokens"),
                      tokens, QStringLiteral("--tls-cert"),
                      certs.path(QStringLiteral("server.pem")), QStringLiteral("--tls-key"),
                      certs.path(QStringLiteral("server.key")), QStringLiteral("--client-ca"),
                      certs.path(QStringLiteral("client-ca.pem"))});
    sim.start();
    if (!sim.waitForStarted(10000))
        return {};
    QByteArray out;
    const QRegularExpression re(QStringLiteral("listening on (\\S+) \\(mTLS"));
    for (int i = 0; i < 100; ++i) {
        sim.waitForReadyRead(200);
        out += sim.readAllStandardOutput();
        const auto m = re.match(QString::fromUtf8(out));
        if (m.hasMatch())
            return m.captured(1);
    }
    return {};
}

// Every file under dir (but the tokens file we wrote) that holds the canary.
QStringList filesWithCanary(const QString &dir, const QString &except)
{
    QStringList hits;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (path == except)
            continue;
        QFile f(path);
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(kCanary))
            hits << path;
    }
    return hits;
}

} // namespace

TEST(Canary, TheTokenNeverReachesTheCacheSettingsLogsOrCrashOutput)
{
    sb::test::TestCerts certs;
    ASSERT_TRUE(certs.ok()) << certs.error().toStdString();
    QTemporaryDir dir;
    const QString tokens = dir.filePath(QStringLiteral("tokens.txt"));
    {
        QFile f(tokens);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(kCanary + " operator otto\n");
    }
    QProcess sim;
    const QString address = startSim(sim, certs, tokens);
    ASSERT_FALSE(address.isEmpty()) << sim.readAllStandardError().constData();

    // The profile as the profile manager would keep it.
    const QString config = dir.filePath(QStringLiteral("config"));
    sb::ConnectionProfile p;
    p.name = QStringLiteral("payments prod");
    p.endpoint = address;
    p.environment = sb::Environment::Prod;
    p.tls = true;
    p.caFile = certs.path(QStringLiteral("ca.pem"));
    p.clientCertFile = certs.path(QStringLiteral("client.pem"));
    p.clientKeyFile = certs.path(QStringLiteral("client.key"));
    p.tokenSource = sb::ConnectionProfile::TokenSource::Environment;
    p.tokenVariable = QStringLiteral("PAYMENTS_TOKEN");
    p.metadata = {{QStringLiteral("x-team"), QStringLiteral("payments")}};
    {
        QSettings s(config + QStringLiteral("/switchboard/switchboard.conf"),
                    QSettings::NativeFormat);
        sb::profile_store::save(s, {p});
    }

    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), config);
    env.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("PAYMENTS_TOKEN"), QString::fromLatin1(kCanary));
    env.remove(QStringLiteral("SWITCHBOARD_TOKEN"));
    const QString cache = dir.filePath(QStringLiteral("cache.sqlite"));
    QProcess console;
    console.setProcessEnvironment(env);
    console.setProgram(QStringLiteral(SB_CONSOLE_EXE));
    console.setArguments({QStringLiteral("--profile"), p.name, QStringLiteral("--cache"), cache,
                          QStringLiteral("--page"), QStringLiteral("routing"),
                          QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("p.png")),
                          QStringLiteral("--screenshot-delay"), QStringLiteral("5"),
                          QStringLiteral("--quit-after-screenshot")});
    console.start();
    ASSERT_TRUE(console.waitForFinished(60000));
    const QByteArray out = console.readAllStandardOutput();
    const QByteArray err = console.readAllStandardError();
    EXPECT_EQ(console.exitCode(), 0) << out.constData() << err.constData();
    EXPECT_FALSE(out.contains(kCanary)) << "token on stdout";
    EXPECT_FALSE(err.contains(kCanary)) << "token on stderr";
    // The token worked: the routing table (which needs it) reached the cache.
    QByteArray rows;
    for (const QString &path : {cache, cache + QStringLiteral("-wal")}) {
        QFile f(path);
        if (f.open(QIODevice::ReadOnly))
            rows += f.readAll();
    }
    EXPECT_TRUE(rows.contains("atlas")) << "no routing rows: was the token refused?";

    // A crash mid-session prints nothing secret either.
    QProcess crash;
    crash.setProcessEnvironment(env);
    crash.setProgram(QStringLiteral(SB_CONSOLE_EXE));
    crash.setArguments({QStringLiteral("--profile"), p.name, QStringLiteral("--cache"), cache});
    crash.start();
    ASSERT_TRUE(crash.waitForStarted(10000));
    QThread::sleep(4);
    ::kill(pid_t(crash.processId()), SIGSEGV);
    ASSERT_TRUE(crash.waitForFinished(30000));
    EXPECT_EQ(crash.exitStatus(), QProcess::CrashExit);
    const QByteArray crashOut = crash.readAllStandardOutput() + crash.readAllStandardError();
    EXPECT_FALSE(crashOut.contains(kCanary)) << "token in crash output";

    sim.terminate();
    sim.waitForFinished(10000);
    const QStringList hits = filesWithCanary(dir.path(), tokens);
    EXPECT_TRUE(hits.isEmpty()) << hits.join(QStringLiteral(", ")).toStdString();
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
