// Tokens in the OS keychain: `context add … --token-stdin` keeps the token
// in the keychain (as the console's profile manager does), a later command
// on that context connects with it, and the token reaches neither the
// settings file nor the cache. Runs under tests/ui/with_keychain.sh (a
// private D-Bus session with an unlocked gnome-keyring); skipped elsewhere.

#include "ctl_test_support.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <gtest/gtest.h>

using namespace sb::test;

TEST(CtlKeychain, AContextsTokenComesFromTheKeychainAndNeverReachesADisk)
{
    if (!qEnvironmentVariableIsSet("SB_KEYCHAIN_UNDER_TEST"))
        GTEST_SKIP() << "needs an unlocked keychain (ctest runs it as ctl.keychain)";
    CtlFixture f;
    const QByteArray secret = "alice-token";
    CtlRun r = f.run({"context", "add", "kc", "--endpoint", f.address(), "--token-stdin"}, {},
                     secret + "\n");
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    r = f.run({"context", "list"});
    EXPECT_EQ(findByName(r.json(), "contexts", "kc")["token"].toString(), "keychain");

    r = f.run(
        {"disable-model", "orion-8b", "--reason", "token from the keychain", "--context", "kc"},
        {}); // no $SB_TOKEN at all
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_EQ(r.json()["actor"].toString(), "alice");

    // Neither the settings nor the cache (nor anything else the CLI wrote) holds it.
    for (const QString &root : {f.configDir(), QFileInfo(f.cachePath()).absolutePath()}) {
        QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile file(it.next());
            ASSERT_TRUE(file.open(QIODevice::ReadOnly));
            EXPECT_FALSE(file.readAll().contains(secret)) << file.fileName().toStdString();
        }
    }
}
