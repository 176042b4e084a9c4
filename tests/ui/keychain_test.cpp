// Tokens in the OS keychain through QtKeychain, against a real Secret Service:
// ctest runs this binary under dbus-run-session with an unlocked
// gnome-keyring (tests/ui/with_keychain.sh). Without one the store says so
// and nothing falls back to a file.

#include "ui/connections/profile_resolver.h"
#include "ui/connections/token_store.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QSignalSpy>
#include <QUuid>
#include <gtest/gtest.h>

using namespace sb;

namespace {

bool haveKeychain()
{
    return qEnvironmentVariableIsSet("SB_KEYCHAIN_UNDER_TEST");
}

QString uniqueProfile()
{
    return QStringLiteral("test-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
}

} // namespace

TEST(Keychain, WritesReadsAndForgetsAToken)
{
    if (!haveKeychain())
        GTEST_SKIP() << "needs an unlocked keychain (run through with_keychain.sh)";
    TokenStore store;
    const QString name = uniqueProfile();
    QSignalSpy written(&store, &TokenStore::tokenWritten);
    store.write(name, QStringLiteral("kc-canary-0b1c"));
    ASSERT_TRUE(written.wait(10000));
    EXPECT_EQ(written.at(0).at(1).toString(), QString());

    QSignalSpy read(&store, &TokenStore::tokenRead);
    store.read(name);
    ASSERT_TRUE(read.wait(10000));
    EXPECT_EQ(read.at(0).at(1).toString(), QStringLiteral("kc-canary-0b1c"));
    EXPECT_EQ(read.at(0).at(2).toString(), QString());

    QSignalSpy removed(&store, &TokenStore::tokenRemoved);
    store.remove(name);
    ASSERT_TRUE(removed.wait(10000));
    store.read(name);
    ASSERT_TRUE(read.wait(10000));
    EXPECT_EQ(read.at(1).at(1).toString(), QString());
    EXPECT_TRUE(read.at(1).at(2).toString().contains(QStringLiteral("no token is kept")));
}

TEST(Keychain, ARenamedProfilesTokenFollowsTheRename)
{
    if (!haveKeychain())
        GTEST_SKIP() << "needs an unlocked keychain (run through with_keychain.sh)";
    TokenStore store;
    const QString before = uniqueProfile();
    const QString after = uniqueProfile();
    QSignalSpy written(&store, &TokenStore::tokenWritten);
    store.write(before, QStringLiteral("kc-canary-rename"));
    ASSERT_TRUE(written.wait(10000));

    QSignalSpy moved(&store, &TokenStore::tokenMoved);
    store.move(before, after);
    ASSERT_TRUE(moved.wait(10000));
    EXPECT_EQ(moved.at(0).at(2).toString(), QString());

    QSignalSpy read(&store, &TokenStore::tokenRead);
    store.read(after);
    ASSERT_TRUE(read.wait(10000));
    EXPECT_EQ(read.at(0).at(1).toString(), QStringLiteral("kc-canary-rename"));
    store.read(before);
    ASSERT_TRUE(read.wait(10000));
    EXPECT_TRUE(read.at(1).at(2).toString().contains(QStringLiteral("no token is kept")))
        << "the old name's entry is gone";

    // Nothing kept under a name: nothing to move, and no error.
    store.move(uniqueProfile(), uniqueProfile());
    ASSERT_TRUE(moved.wait(10000));
    EXPECT_EQ(moved.at(1).at(2).toString(), QString());
    store.remove(after);
}

TEST(Keychain, AProfileResolvesItsTokenFromTheKeychain)
{
    if (!haveKeychain())
        GTEST_SKIP() << "needs an unlocked keychain (run through with_keychain.sh)";
    TokenStore store;
    ConnectionProfile p;
    p.name = uniqueProfile();
    p.endpoint = QStringLiteral("localhost:50051");
    p.tokenSource = ConnectionProfile::TokenSource::Keychain;
    QSignalSpy written(&store, &TokenStore::tokenWritten);
    store.write(p.name, QStringLiteral("kc-profile-77"));
    ASSERT_TRUE(written.wait(10000));

    ProfileResolver resolver;
    QSignalSpy resolved(&resolver, &ProfileResolver::resolved);
    resolver.resolve(p);
    ASSERT_TRUE(resolved.wait(10000));
    EXPECT_EQ(resolved.at(0).at(0).value<ChannelSpec>().token, QStringLiteral("kc-profile-77"));
    store.remove(p.name);
    QSignalSpy removed(&store, &TokenStore::tokenRemoved);
    removed.wait(5000);
}

TEST(Keychain, AMissingEntryIsASentenceNotAnEmptyToken)
{
    if (!haveKeychain())
        GTEST_SKIP() << "needs an unlocked keychain (run through with_keychain.sh)";
    ConnectionProfile p;
    p.name = uniqueProfile();
    p.endpoint = QStringLiteral("localhost:50051");
    p.tokenSource = ConnectionProfile::TokenSource::Keychain;
    ProfileResolver resolver;
    QSignalSpy failed(&resolver, &ProfileResolver::failed);
    resolver.resolve(p);
    ASSERT_TRUE(failed.wait(10000));
    EXPECT_TRUE(failed.at(0).at(0).toString().contains(p.name));
}

TEST(NoKeychain, SaysSoAndWritesNoFile)
{
    if (haveKeychain())
        GTEST_SKIP() << "a keychain is running";
    // No session bus at all: QtKeychain has no Secret Service to talk to.
    const QByteArray bus = qgetenv("DBUS_SESSION_BUS_ADDRESS");
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    const QString home = QDir::homePath();
    TokenStore store;
    QSignalSpy written(&store, &TokenStore::tokenWritten);
    const QString name = uniqueProfile();
    store.write(name, QStringLiteral("no-keychain-canary"));
    ASSERT_TRUE(written.wait(30000));
    EXPECT_FALSE(written.at(0).at(1).toString().isEmpty()) << "claimed to have saved it";
    // QtKeychain's insecure fallback would write into the settings folder.
    QDirIterator it(QDir(home).filePath(QStringLiteral(".config")), QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (path.contains(name))
            ADD_FAILURE() << "a file names the entry: " << path.toStdString();
    }
    if (bus.isNull())
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
    else
        qputenv("DBUS_SESSION_BUS_ADDRESS", bus);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("switchboard-keychain-test"));
    qRegisterMetaType<sb::ChannelSpec>();
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
