// The profile manager's Export and Import, offscreen: the selected profiles
// go to a file without any token, a second console imports them next to its
// own without overwriting one, and a bad file says what is wrong and changes
// nothing. SWITCHBOARD_SHOTS=DIR saves what it sees.

#include "../support/test_profiles.h"
#include "ui/connections/profile_manager_dialog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <gtest/gtest.h>

using namespace sb;
using sb::test::profile;

namespace {

void shoot(QWidget *w, const QString &name)
{
    const QString dir = qEnvironmentVariable("SWITCHBOARD_SHOTS");
    QCoreApplication::processEvents(); // the status line's new height laid out
    if (!dir.isEmpty() && QDir().mkpath(dir))
        w->grab().save(QDir(dir).filePath(name + QStringLiteral(".png")));
}

QString finish(ProfileManagerDialog &d, QSignalSpy &spy)
{
    EXPECT_TRUE(spy.count() > 0 || spy.wait(10000));
    return d.findChild<QLabel *>(QStringLiteral("profileStatus"))->text();
}

QStringList listed(ProfileManagerDialog &d)
{
    QStringList out;
    auto *list = d.findChild<QListWidget *>(QStringLiteral("profileList"));
    for (int i = 0; i < list->count(); ++i)
        out << list->item(i)->text();
    return out;
}

} // namespace

TEST(ProfileTransfer, ExportsTheSelectedProfilesAndAnotherConsoleImportsThemBesideItsOwn)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("team.json"));
    ConnectionProfile staging = profile(
        QStringLiteral("staging"), QStringLiteral("staging.example.com:443"), Environment::Staging);
    staging.tls = true;
    staging.tokenSource = ConnectionProfile::TokenSource::Keychain;
    ConnectionProfile prod =
        profile(QStringLiteral("prod"), QStringLiteral("api.example.com:443"), Environment::Prod);
    prod.tls = true;
    prod.caFile = QStringLiteral("/etc/sb/ca.pem");
    prod.tokenSource = ConnectionProfile::TokenSource::Environment;
    prod.tokenVariable = QStringLiteral("SB_PROD_TOKEN");
    prod.metadata = {{QStringLiteral("x-team"), QStringLiteral("core")}};

    {
        ProfileManagerDialog a(
            {profile(QStringLiteral("local"), QStringLiteral("localhost:50051")), staging, prod},
            QStringLiteral("local"), nullptr);
        a.show();
        auto *list = a.findChild<QListWidget *>(QStringLiteral("profileList"));
        list->item(1)->setSelected(true);
        list->item(2)->setSelected(true);
        list->item(0)->setSelected(false);
        ASSERT_EQ(a.selectedNames(),
                  (QStringList{QStringLiteral("staging"), QStringLiteral("prod")}));
        QSignalSpy done(&a, &ProfileManagerDialog::transferFinished);
        a.exportProfiles(path, a.selectedNames());
        EXPECT_EQ(finish(a, done), QStringLiteral("Exported 2 profile(s) to team.json. The file "
                                                  "holds no token or key: each machine keeps its "
                                                  "own."));
        EXPECT_TRUE(done.at(0).at(1).toBool());
    }
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    EXPECT_TRUE(bytes.contains("\"tokenSource\": \"keychain\""));
    EXPECT_TRUE(bytes.contains("SB_PROD_TOKEN")) << "the variable's name, which is no secret";
    EXPECT_FALSE(bytes.contains("localhost")) << "only the chosen profiles";

    // Another console already has a different "prod".
    ProfileManagerDialog b({profile(QStringLiteral("prod"), QStringLiteral("old.example.com:443"))},
                           QStringLiteral("prod"), nullptr);
    b.show();
    QSignalSpy saved(&b, &ProfileManagerDialog::profilesSaved);
    QSignalSpy done(&b, &ProfileManagerDialog::transferFinished);
    b.importProfiles(path);
    const QString status = finish(b, done);
    EXPECT_EQ(status, QStringLiteral("Added 2 profile(s): \"staging\", \"prod (imported)\". A "
                                     "different profile already had the name, so imported "
                                     "\"prod\" as \"prod (imported)\". Type the token of "
                                     "\"staging\": tokens stay in the keychain they were kept "
                                     "in."));
    EXPECT_EQ(listed(b), (QStringList{QStringLiteral("prod"), QStringLiteral("staging"),
                                      QStringLiteral("prod (imported)")}));
    ASSERT_EQ(saved.count(), 1) << "the import is saved like an edit";
    const auto list = saved.at(0).at(0).value<std::vector<ConnectionProfile>>();
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].endpoint, QStringLiteral("old.example.com:443")) << "never overwritten";
    ConnectionProfile imported = prod;
    imported.name = QStringLiteral("prod (imported)");
    EXPECT_EQ(list[2], imported);
    shoot(&b, QStringLiteral("profile-manager-import"));
}

TEST(ProfileTransfer, ABadFileSaysWhatIsWrongAndChangesNothing)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("broken.json"));
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"format": "switchboard-profiles", "version": 1, "profiles": [)"
            R"({"name": "leaky", "endpoint": "h:1", "token": "tok-canary-5150"}, )"
            R"({"name": "ok", "endpoint": "nohost"}]})");
    f.close();
    ProfileManagerDialog d({profile(QStringLiteral("local"), QStringLiteral("localhost:50051"))},
                           QStringLiteral("local"), nullptr);
    d.show();
    QSignalSpy saved(&d, &ProfileManagerDialog::profilesSaved);
    QSignalSpy done(&d, &ProfileManagerDialog::transferFinished);
    d.importProfiles(path);
    const QString status = finish(d, done);
    EXPECT_TRUE(status.startsWith(QStringLiteral("No profile added.\nNot imported: Profile 1 "
                                                 "(\"leaky\"): it carries a secret (\"token\")")))
        << status.toStdString();
    EXPECT_TRUE(status.contains(QStringLiteral("Not imported: Profile 2 (\"ok\"): Endpoint:")))
        << status.toStdString();
    EXPECT_FALSE(status.contains(QStringLiteral("tok-canary-5150")));
    EXPECT_FALSE(done.at(0).at(1).toBool());
    EXPECT_EQ(saved.count(), 0);
    EXPECT_EQ(listed(d), QStringList{QStringLiteral("local")});
    shoot(&d, QStringLiteral("profile-manager-import-refused"));

    done.clear();
    d.importProfiles(dir.filePath(QStringLiteral("missing.json")));
    EXPECT_TRUE(finish(d, done).startsWith(QStringLiteral("Nothing imported. Could not open ")));
}
