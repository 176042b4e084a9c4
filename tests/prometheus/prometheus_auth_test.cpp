// A real Prometheus 2.42 behind --web.config.file: https with a certificate
// made by openssl for the test, and basic auth whose bcrypt hash is written
// into the web config. The right user, password and CA import history; a
// wrong password, a wrong CA or none at all each end in a sentence that names
// what to fix.

#include "../support/test_certs.h"
#include "client/prometheus_source.h"
#include "native_series.h"
#include "prometheus_server.h"

#include <QDateTime>
#include <QFile>
#include <QSignalSpy>
#include <QTest>
#include <gtest/gtest.h>

using namespace sb;
using namespace sb::test;

namespace {

// bcrypt (cost 5) of kPassword, made once with libxcrypt:
//   perl -e 'print crypt("prom-pass-1", "\$2b\$05\$Qm9vdHN0cmFwU2FsdDEyMz")'
// (Debian 12 has no htpasswd and no python3-bcrypt by default.)
const char *const kPassword = "prom-pass-1";
const char *const kHash = "$2b$05$Qm9vdHN0cmFwU2FsdDEyMu4wZG1tVPN.UCqB3nnTL9YlH3CF0vyeu";

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

class PromAuth : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        certs = new TestCerts;
        if (!certs->ok()) {
            startError = certs->error();
            return;
        }
        WebConfig web;
        web.certFile = certs->path(QStringLiteral("server.pem"));
        web.keyFile = certs->path(QStringLiteral("server.key"));
        web.user = QStringLiteral("ops");
        web.password = QString::fromLatin1(kPassword);
        web.bcryptHash = QString::fromLatin1(kHash);
        web.caPem = readAll(certs->path(QStringLiteral("ca.pem")));
        server = new PrometheusServer(true, web);
        if (!server->start(&startError))
            return;
        // Ten minutes of one route, 20 requests a tick.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        end = now - 15'000;
        NativeSeries s(QStringLiteral("secure_ms"), QStringLiteral("chat"));
        prometheus::WriteRequest req;
        for (qint64 t = (now - 10 * 60'000) / 60'000 * 60'000; t <= end; t += 15'000) {
            for (int k = 0; k < 20; ++k)
                s.observe(100.0 + k * 5);
            s.sampleInto(req, t);
        }
        const HttpAnswer a = server->write(req);
        if (a.status != 204)
            startError = QStringLiteral("remote write: HTTP %1 %2")
                             .arg(a.status)
                             .arg(QString::fromUtf8(a.body));
    }
    static void TearDownTestSuite()
    {
        delete server;
        delete certs;
        server = nullptr;
        certs = nullptr;
    }
    void SetUp() override
    {
        if (!startError.isEmpty())
            GTEST_FAIL() << startError.toStdString();
    }

    static PrometheusConfig config(const QString &caFile)
    {
        PrometheusConfig c;
        c.url = server->url();
        c.selector = QStringLiteral("secure_ms");
        c.millisPerUnit = 1.0;
        c.auth = PrometheusConfig::Auth::Basic;
        c.basicUser = QStringLiteral("ops");
        if (!caFile.isEmpty())
            c.caPem = readAll(certs->path(caFile));
        return c;
    }
    // The import's samples, or its failure's sentence.
    static std::pair<quint64, QString> import(const PrometheusConfig &c, const QString &secret)
    {
        PrometheusSource source(c);
        source.setSecret(secret);
        QSignalSpy ok(&source, &PrometheusSource::imported);
        QSignalSpy failed(&source, &PrometheusSource::failed);
        source.importRange(end - 9 * 60'000, end);
        EXPECT_TRUE(QTest::qWaitFor([&] { return ok.size() + failed.size() > 0; }, 30000));
        if (!failed.isEmpty())
            return {0, failed.first().first().toString()};
        return {ok.isEmpty() ? 0 : ok.first().first().value<PrometheusImport>().samples, {}};
    }

    static inline TestCerts *certs = nullptr;
    static inline PrometheusServer *server = nullptr;
    static inline QString startError;
    static inline qint64 end = 0;
};

TEST_F(PromAuth, TheRightPasswordAndCaImport)
{
    ASSERT_TRUE(server->url().startsWith(QStringLiteral("https://")));
    const auto [samples, error] = import(config(QStringLiteral("ca.pem")), kPassword);
    EXPECT_TRUE(error.isEmpty()) << error.toStdString();
    EXPECT_GE(samples, 8u);
}

TEST_F(PromAuth, AWrongPasswordSaysTheCredentialsWereRefused)
{
    const auto [samples, error] = import(config(QStringLiteral("ca.pem")), QStringLiteral("nope"));
    EXPECT_EQ(samples, 0u);
    std::printf("[ sentence ] %s\n", qPrintable(error));
    EXPECT_TRUE(error.contains(QStringLiteral("refused the credentials (HTTP 401)")))
        << error.toStdString();
    EXPECT_TRUE(error.contains(QStringLiteral("password of user \"ops\""))) << error.toStdString();
    // No password at all: the same sentence.
    const auto none = import(config(QStringLiteral("ca.pem")), QString());
    EXPECT_TRUE(none.second.contains(QStringLiteral("HTTP 401"))) << none.second.toStdString();
}

TEST_F(PromAuth, AWrongCaOrNoneSaysTheTlsCheckFailed)
{
    const auto [samples, error] = import(config(QStringLiteral("other-ca.pem")), kPassword);
    EXPECT_EQ(samples, 0u);
    std::printf("[ sentence ] %s\n", qPrintable(error));
    EXPECT_TRUE(error.contains(QStringLiteral("failed the TLS check"))) << error.toStdString();
    EXPECT_TRUE(error.contains(QStringLiteral("custom CA did not sign"))) << error.toStdString();
    EXPECT_FALSE(error.contains(QStringLiteral("unreachable"))) << error.toStdString();
    const auto roots = import(config(QString()), kPassword); // the system's roots
    std::printf("[ sentence ] %s\n", qPrintable(roots.second));
    EXPECT_TRUE(roots.second.contains(QStringLiteral("failed the TLS check")))
        << roots.second.toStdString();
    EXPECT_TRUE(roots.second.contains(QStringLiteral("give the CA"))) << roots.second.toStdString();
}

TEST_F(PromAuth, PlainHttpToTheHttpsServerSaysSo)
{
    PrometheusConfig c = config(QStringLiteral("ca.pem"));
    c.url.replace(QStringLiteral("https://"), QStringLiteral("http://"));
    const auto [samples, error] = import(c, kPassword);
    EXPECT_EQ(samples, 0u);
    std::printf("[ sentence ] %s\n", qPrintable(error));
    EXPECT_TRUE(error.contains(QStringLiteral("https"))) << error.toStdString();
}

} // namespace
