// A profile's "Prometheus history" and "OpenTelemetry" tabs in the profile
// manager, against real Prometheus 2.42 servers on loopback (plain; without
// native histograms; https with basic auth behind --web.config.file): the
// fields survive save and reopen, the password goes to the keychain and not
// the settings file (and follows a rename), and the Test button says in a
// sentence what Prometheus answered. Runs under with_keychain.sh (a private
// gnome-keyring); SB_SHOT_DIR saves the tab after each answer, to look at.

#include "../support/test_certs.h"
#include "native_series.h"
#include "prometheus_server.h"
#include "ui/connections/profile.h"
#include "ui/connections/profile_manager_dialog.h"
#include "ui/connections/token_store.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>

using namespace sb;
using namespace sb::test;

namespace {

const char *const kPassword = "prom-pass-1"; // its bcrypt hash, as in prometheus_auth_test.cpp
const char *const kHash = "$2b$05$Qm9vdHN0cmFwU2FsdDEyMu4wZG1tVPN.UCqB3nnTL9YlH3CF0vyeu";

template <class W> W *field(QWidget &d, const char *name)
{
    auto *w = d.findChild<W *>(QString::fromLatin1(name));
    EXPECT_TRUE(w) << name;
    return w;
}

void type(QWidget &d, const char *name, const QString &text)
{
    auto *e = field<QLineEdit>(d, name);
    e->selectAll();
    e->del();
    QTest::keyClicks(e, text);
}

void shoot(QWidget &d, const QString &name)
{
    if (const QString dir = qEnvironmentVariable("SB_SHOT_DIR"); !dir.isEmpty()) {
        QTest::qWait(200);
        d.grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
    }
}

// Presses "Test Prometheus" and waits for the sentence.
QString pressTest(QWidget &d, const QString &shot = {})
{
    auto *test = field<QPushButton>(d, "testPrometheus");
    auto *result = field<QLabel>(d, "promTestResult");
    EXPECT_TRUE(test->isEnabled());
    QTest::mouseClick(test, Qt::LeftButton);
    EXPECT_FALSE(test->isEnabled()) << "one test at a time";
    EXPECT_TRUE(QTest::qWaitFor([&] { return test->isEnabled(); }, 40000));
    if (!shot.isEmpty())
        shoot(d, shot);
    std::printf("[ sentence ] %s\n", qPrintable(result->text()));
    return result->text();
}

QString keychainRead(const QString &entry)
{
    TokenStore tokens;
    QSignalSpy read(&tokens, &TokenStore::tokenRead);
    tokens.read(entry);
    EXPECT_TRUE(read.wait(10000));
    return read.isEmpty() ? QString() : read.first().at(1).toString();
}

// What the form says about a secret kept in the keychain.
QString keptNote(QWidget &d)
{
    auto *l = field<QLabel>(d, "promSecretKept");
    return l && l->isVisibleTo(l->parentWidget()) ? l->text() : QString();
}

bool underKeychain()
{
    return qEnvironmentVariableIsSet("SB_KEYCHAIN_UNDER_TEST");
}

ConnectionProfile plainProfile()
{
    ConnectionProfile p;
    p.name = QStringLiteral("fleet");
    p.endpoint = QStringLiteral("fleet.example:443");
    return p;
}

// Ten minutes of route "chat" in `metric`, written to `server`.
void writeHistory(PrometheusServer &server, const QString &metric)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    NativeSeries s(metric, QStringLiteral("chat"));
    prometheus::WriteRequest req;
    for (qint64 t = (now - 10 * 60'000) / 60'000 * 60'000; t <= now - 15'000; t += 15'000) {
        for (int k = 0; k < 20; ++k)
            s.observe(100.0 + k * 5);
        s.sampleInto(req, t);
    }
    const HttpAnswer a = server.write(req);
    ASSERT_EQ(a.status, 204) << a.body.toStdString();
}

} // namespace

TEST(PrometheusProfile, TheSectionsFieldsSurviveSaveAndReopenTheSecretOnlyInTheKeychain)
{
    ProfileManagerDialog d({plainProfile()}, QStringLiteral("fleet"), nullptr);
    d.show();
    QSignalSpy saved(&d, &ProfileManagerDialog::profilesSaved);
    auto *tabs = field<QTabWidget>(d, "profileTabs");
    tabs->setCurrentIndex(1);
    type(d, "promUrl", QStringLiteral("https://prom.example:9090"));
    type(d, "promSelector", QStringLiteral("latency_ms{job=\"api\"}"));
    field<QComboBox>(d, "promUnit")->setCurrentIndex(1);
    type(d, "promRouteLabel", QStringLiteral("handler"));
    type(d, "promModelLabel", QStringLiteral("model"));
    type(d, "promVariantLabel", QStringLiteral("arm"));
    field<QComboBox>(d, "promAuth")->setCurrentIndex(2);
    type(d, "promBasicUser", QStringLiteral("ops"));
    type(d, "promSecret", QStringLiteral("s3cret-prom"));
    type(d, "promCaFile", QStringLiteral("/etc/ssl/prom-ca.pem"));
    shoot(d, QStringLiteral("prom-section"));
    tabs->setCurrentIndex(2);
    type(d, "otlpRouteAttributes", QStringLiteral("service.name, http.route"));
    type(d, "otlpVariantAttributes", QStringLiteral("app.variant"));
    QTest::mouseClick(field<QPushButton>(d, "saveProfile"), Qt::LeftButton);
    ASSERT_EQ(saved.size(), 1) << field<QLabel>(d, "profileStatus")->text().toStdString();

    QTemporaryDir dir;
    const QString ini = dir.filePath(QStringLiteral("s.ini"));
    {
        QSettings s(ini, QSettings::IniFormat);
        profile_store::save(s, d.profiles());
    }
    QFile file(ini);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll();
    EXPECT_TRUE(written.contains("prom.example")) << written.toStdString();
    EXPECT_FALSE(written.contains("s3cret-prom")) << "the password is in the settings file";

    QSettings s(ini, QSettings::IniFormat);
    ProfileManagerDialog again(profile_store::load(s), QStringLiteral("fleet"), nullptr);
    again.show();
    EXPECT_EQ(field<QLineEdit>(again, "promUrl")->text(),
              QStringLiteral("https://prom.example:9090"));
    EXPECT_EQ(field<QLineEdit>(again, "promSelector")->text(),
              QStringLiteral("latency_ms{job=\"api\"}"));
    EXPECT_EQ(field<QComboBox>(again, "promUnit")->currentIndex(), 1);
    EXPECT_EQ(field<QLineEdit>(again, "promRouteLabel")->text(), QStringLiteral("handler"));
    EXPECT_EQ(field<QLineEdit>(again, "promModelLabel")->text(), QStringLiteral("model"));
    EXPECT_EQ(field<QLineEdit>(again, "promVariantLabel")->text(), QStringLiteral("arm"));
    EXPECT_EQ(field<QComboBox>(again, "promAuth")->currentIndex(), 2);
    EXPECT_EQ(field<QLineEdit>(again, "promBasicUser")->text(), QStringLiteral("ops"));
    EXPECT_TRUE(field<QLineEdit>(again, "promSecret")->text().isEmpty());
    EXPECT_EQ(field<QLineEdit>(again, "promCaFile")->text(),
              QStringLiteral("/etc/ssl/prom-ca.pem"));
    EXPECT_EQ(field<QLineEdit>(again, "otlpRouteAttributes")->text(),
              QStringLiteral("service.name, http.route"));
    EXPECT_EQ(field<QLineEdit>(again, "otlpVariantAttributes")->text(),
              QStringLiteral("app.variant"));

    if (!underKeychain())
        GTEST_SKIP() << "no keychain: run under with_keychain.sh for the secret's half";
    EXPECT_EQ(keychainRead(QStringLiteral("fleet/prometheus")), QStringLiteral("s3cret-prom"));
    // Both forms say a password is kept (the first since its save).
    for (QWidget *form : {static_cast<QWidget *>(&d), static_cast<QWidget *>(&again)}) {
        EXPECT_TRUE(QTest::qWaitFor(
            [&] { return keptNote(*form).startsWith("A password is stored in the keychain"); },
            10000))
            << keptNote(*form).toStdString();
    }
    field<QTabWidget>(again, "profileTabs")->setCurrentIndex(1);
    shoot(again, QStringLiteral("prom-secret-kept"));
    // A rename takes the secret along.
    type(again, "profileName", QStringLiteral("fleet eu"));
    QTest::mouseClick(field<QPushButton>(again, "saveProfile"), Qt::LeftButton);
    EXPECT_TRUE(QTest::qWaitFor(
        [] { return keychainRead(QStringLiteral("fleet eu/prometheus")) == "s3cret-prom"; },
        10000));
    EXPECT_TRUE(keptNote(again).startsWith("A password is stored"))
        << keptNote(again).toStdString();

    // A profile whose password was never saved says so.
    ConnectionProfile bare = plainProfile();
    bare.name = QStringLiteral("bare");
    bare.promUrl = QStringLiteral("https://prom.example:9090");
    bare.promAuth = ConnectionProfile::PromAuth::Bearer;
    ProfileManagerDialog third({bare}, QStringLiteral("bare"), nullptr);
    third.show();
    field<QTabWidget>(third, "profileTabs")->setCurrentIndex(1);
    EXPECT_TRUE(QTest::qWaitFor(
        [&] { return keptNote(third).startsWith("No token is stored in the keychain"); }, 10000))
        << keptNote(third).toStdString();
    shoot(third, QStringLiteral("prom-secret-none"));
}

TEST(PrometheusProfile, TheTestButtonSaysWhatPrometheusAnswered)
{
    PrometheusServer prom;
    QString why;
    ASSERT_TRUE(prom.start(&why)) << why.toStdString();
    writeHistory(prom, QStringLiteral("latency_ms"));
    ProfileManagerDialog d({plainProfile()}, QStringLiteral("fleet"), nullptr);
    d.resize(960, 600);
    d.show();
    field<QTabWidget>(d, "profileTabs")->setCurrentIndex(1);
    type(d, "promUrl", prom.url());
    type(d, "promSelector", QStringLiteral("latency_ms"));
    field<QComboBox>(d, "promUnit")->setCurrentIndex(1);

    const QString ok = pressTest(d, QStringLiteral("prom-test-ok"));
    EXPECT_TRUE(ok.contains(QStringLiteral("answered: 1 series of latency_ms")))
        << ok.toStdString();
    EXPECT_TRUE(ok.contains(QStringLiteral("schema 6"))) << ok.toStdString();

    type(d, "promSelector", QStringLiteral("missing_ms"));
    const QString none = pressTest(d);
    EXPECT_TRUE(none.contains(QStringLiteral("holds no missing_ms"))) << none.toStdString();

    type(d, "promSelector", QStringLiteral("latency_ms"));
    type(d, "promUrl", prom.url() + QStringLiteral("/not-the-root"));
    const QString notFound = pressTest(d, QStringLiteral("prom-test-404"));
    EXPECT_TRUE(notFound.contains(QStringLiteral("HTTP 404"))) << notFound.toStdString();

    type(d, "promUrl", QStringLiteral("http://127.0.0.1:%1").arg(PrometheusServer::freePort()));
    const QString away = pressTest(d, QStringLiteral("prom-test-unreachable"));
    EXPECT_TRUE(away.contains(QStringLiteral("unreachable"))) << away.toStdString();

    // A Prometheus without --enable-feature=native-histograms.
    PrometheusServer off(false);
    ASSERT_TRUE(off.start(&why)) << why.toStdString();
    type(d, "promUrl", off.url());
    const QString disabled = pressTest(d, QStringLiteral("prom-test-disabled"));
    EXPECT_TRUE(disabled.contains(QStringLiteral("native histograms are disabled")))
        << disabled.toStdString();

    // Nothing was saved by testing.
    EXPECT_TRUE(d.profiles().front().promUrl.isEmpty());
}

TEST(PrometheusProfile, TheTestButtonOverHttpsWithBasicAuth)
{
    TestCerts certs;
    ASSERT_TRUE(certs.ok()) << certs.error().toStdString();
    QFile ca(certs.path(QStringLiteral("ca.pem")));
    ASSERT_TRUE(ca.open(QIODevice::ReadOnly));
    WebConfig web{certs.path(QStringLiteral("server.pem")),
                  certs.path(QStringLiteral("server.key")),
                  QStringLiteral("ops"),
                  QString::fromLatin1(kPassword),
                  QString::fromLatin1(kHash),
                  ca.readAll()};
    PrometheusServer prom(true, web);
    QString why;
    ASSERT_TRUE(prom.start(&why)) << why.toStdString();
    writeHistory(prom, QStringLiteral("secure_ms"));

    ProfileManagerDialog d({plainProfile()}, QStringLiteral("fleet"), nullptr);
    d.resize(960, 600);
    d.show();
    field<QTabWidget>(d, "profileTabs")->setCurrentIndex(1);
    type(d, "promUrl", prom.url());
    type(d, "promSelector", QStringLiteral("secure_ms"));
    field<QComboBox>(d, "promUnit")->setCurrentIndex(1);
    field<QComboBox>(d, "promAuth")->setCurrentIndex(2);
    type(d, "promBasicUser", QStringLiteral("ops"));
    type(d, "promCaFile", certs.path(QStringLiteral("ca.pem")));

    type(d, "promSecret", QStringLiteral("wrong"));
    const QString refused = pressTest(d, QStringLiteral("prom-test-refused"));
    EXPECT_TRUE(refused.contains(QStringLiteral("refused the credentials (HTTP 401)")))
        << refused.toStdString();

    type(d, "promSecret", QString::fromLatin1(kPassword));
    const QString ok = pressTest(d);
    EXPECT_TRUE(ok.contains(QStringLiteral("answered: 1 series"))) << ok.toStdString();

    type(d, "promCaFile", certs.path(QStringLiteral("other-ca.pem")));
    const QString tls = pressTest(d, QStringLiteral("prom-test-tls"));
    EXPECT_TRUE(tls.contains(QStringLiteral("failed the TLS check"))) << tls.toStdString();

    if (!underKeychain())
        GTEST_SKIP() << "no keychain: run under with_keychain.sh for the saved secret";
    // Saved: the form forgets the typed password, the test reads the keychain's.
    type(d, "promCaFile", certs.path(QStringLiteral("ca.pem")));
    QTest::mouseClick(field<QPushButton>(d, "saveProfile"), Qt::LeftButton);
    ASSERT_TRUE(field<QLineEdit>(d, "promSecret")->text().isEmpty());
    ASSERT_TRUE(QTest::qWaitFor(
        [] { return keychainRead(QStringLiteral("fleet/prometheus")) == kPassword; }, 10000));
    const QString kept = pressTest(d);
    EXPECT_TRUE(kept.contains(QStringLiteral("answered: 1 series"))) << kept.toStdString();
}

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("switchboard-prometheus-profile-test"));
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
