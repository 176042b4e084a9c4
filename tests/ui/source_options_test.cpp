// A connection profile's mapping for other sources: the fields survive
// QSettings; with --profile the console's OTLP receiver and Prometheus
// source take the profile's attributes and labels where no flag names them,
// flags win, and without a profile the default mapping is unchanged. Also
// the Prometheus auth flags: a secret's source is named, never the secret.

#include "app/exe/source_options.h"
#include "ui/connections/profile.h"

#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <gtest/gtest.h>
#include <memory>

using namespace sb;

namespace {

std::unique_ptr<QCommandLineParser> parsed(const SourceOptions &o, QStringList args)
{
    auto p = std::make_unique<QCommandLineParser>();
    o.addTo(*p);
    args.prepend(QStringLiteral("switchboard"));
    EXPECT_TRUE(p->parse(args)) << p->errorText().toStdString();
    return p;
}

TEST(SourceOptions, AProfilesMappingSurvivesSettingsAndFillsWhatFlagsLeaveOpen)
{
    ConnectionProfile prof;
    prof.name = QStringLiteral("fleet");
    prof.endpoint = QStringLiteral("fleet.example:443");
    prof.otlpRouteAttributes = {QStringLiteral("app.endpoint"), QStringLiteral("http.route")};
    prof.otlpVariantAttributes = {QStringLiteral("app.variant")};
    prof.promRouteLabel = QStringLiteral("handler");
    prof.promModelLabel = QStringLiteral("model");
    prof.promVariantLabel = QStringLiteral("variant");
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.ini"));
    {
        QSettings s(path, QSettings::IniFormat);
        profile_store::save(s, {prof});
    }
    QSettings s(path, QSettings::IniFormat);
    const auto loaded = profile_store::load(s);
    ASSERT_EQ(loaded.size(), 1u);
    EXPECT_EQ(loaded[0], prof);

    const SourceOptions o;
    auto p = parsed(o, {QStringLiteral("--otlp-listen"), QStringLiteral("127.0.0.1:0"),
                        QStringLiteral("--otlp-model-attributes"), QStringLiteral("app.model"),
                        QStringLiteral("--prometheus"), QStringLiteral("http://127.0.0.1:9"),
                        QStringLiteral("--prometheus-model-label"), QStringLiteral("llm")});
    const otlp::Mapping m = o.otlpMapping(*p, &loaded[0]);
    EXPECT_EQ(m.routeAttributes, prof.otlpRouteAttributes);     // the profile's
    EXPECT_EQ(m.modelAttributes, QStringList{"app.model"});     // the flag wins
    EXPECT_EQ(m.variantAttributes, prof.otlpVariantAttributes); // the profile's
    std::optional<PrometheusConfig> c;
    QString error;
    ASSERT_TRUE(o.prometheus(*p, &loaded[0], &c, &error)) << error.toStdString();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->routeLabel, QStringLiteral("handler"));
    EXPECT_EQ(c->modelLabel, QStringLiteral("llm"));
    EXPECT_EQ(c->variantLabel, QStringLiteral("variant"));
    PrometheusSource source(*c);
    EXPECT_EQ(source.query(60),
              QStringLiteral("sum by (handler, llm, variant) "
                             "(increase(gen_ai_client_operation_duration_seconds[60s]))"));
}

TEST(SourceOptions, WithoutAProfileTheDefaultMappingIsUnchanged)
{
    const SourceOptions o;
    auto p = parsed(o, {QStringLiteral("--prometheus"), QStringLiteral("http://127.0.0.1:9")});
    const otlp::Mapping m = o.otlpMapping(*p, nullptr);
    EXPECT_EQ(m.routeAttributes, otlp::Mapping{}.routeAttributes);
    EXPECT_EQ(m.modelAttributes, otlp::Mapping{}.modelAttributes);
    EXPECT_TRUE(m.variantAttributes.isEmpty());
    std::optional<PrometheusConfig> c;
    QString error;
    ASSERT_TRUE(o.prometheus(*p, nullptr, &c, &error));
    EXPECT_EQ(c->routeLabel, QStringLiteral("route"));
    EXPECT_TRUE(c->modelLabel.isEmpty());
    EXPECT_EQ(c->auth, PrometheusConfig::Auth::None);
    EXPECT_EQ(c->histograms, PrometheusConfig::Histograms::Auto);
}

TEST(SourceOptions, PrometheusAuthNamesWhereTheSecretLivesAndBadValuesSaySo)
{
    const SourceOptions o;
    std::optional<PrometheusConfig> c;
    QString error;
    auto bearer =
        parsed(o, {QStringLiteral("--prometheus"), QStringLiteral("https://prom:9090"),
                   QStringLiteral("--prometheus-secret-env"), QStringLiteral("PROM_TOKEN")});
    ASSERT_TRUE(o.prometheus(*bearer, nullptr, &c, &error));
    EXPECT_EQ(c->auth, PrometheusConfig::Auth::Bearer);
    EXPECT_EQ(c->secretEnv, QStringLiteral("PROM_TOKEN"));
    auto basic = parsed(o, {QStringLiteral("--prometheus"), QStringLiteral("https://prom:9090"),
                            QStringLiteral("--prometheus-basic-user"), QStringLiteral("ops")});
    EXPECT_FALSE(o.prometheus(*basic, nullptr, &c, &error));
    EXPECT_TRUE(error.contains(QStringLiteral("password"))) << error.toStdString();
    QTemporaryDir dir;
    auto ca =
        parsed(o, {QStringLiteral("--prometheus"), QStringLiteral("https://prom:9090"),
                   QStringLiteral("--prometheus-ca"), dir.filePath(QStringLiteral("no.pem"))});
    EXPECT_FALSE(o.prometheus(*ca, nullptr, &c, &error));
    EXPECT_TRUE(error.contains(QStringLiteral("cannot read"))) << error.toStdString();
    auto kind = parsed(o, {QStringLiteral("--prometheus"), QStringLiteral("http://prom:9090"),
                           QStringLiteral("--prometheus-histograms"), QStringLiteral("summary")});
    EXPECT_FALSE(o.prometheus(*kind, nullptr, &c, &error));
}

TEST(SourceOptions, AProfilesPrometheusSourceIsUsedWithoutFlagsAndFlagsWinOverIt)
{
    QTemporaryDir dir;
    const QString caPath = dir.filePath(QStringLiteral("ca.pem"));
    {
        QFile ca(caPath);
        ASSERT_TRUE(ca.open(QIODevice::WriteOnly));
        ca.write("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    }
    ConnectionProfile prof;
    prof.name = QStringLiteral("fleet");
    prof.endpoint = QStringLiteral("fleet.example:443");
    prof.promUrl = QStringLiteral("https://prom.example:9090");
    prof.promSelector = QStringLiteral("latency_ms");
    prof.promUnit = QStringLiteral("ms");
    prof.promRouteLabel = QStringLiteral("handler");
    prof.promAuth = ConnectionProfile::PromAuth::Basic;
    prof.promBasicUser = QStringLiteral("ops");
    prof.promCaFile = caPath;
    ASSERT_EQ(prof.validate(), QString());
    const SourceOptions o;
    std::optional<PrometheusConfig> c;
    QString error;
    auto none = parsed(o, {});
    ASSERT_TRUE(o.prometheus(*none, &prof, &c, &error)) << error.toStdString();
    ASSERT_TRUE(c) << "the profile's Prometheus source without --prometheus";
    EXPECT_EQ(c->url, prof.promUrl);
    EXPECT_EQ(c->selector, QStringLiteral("latency_ms"));
    EXPECT_EQ(c->millisPerUnit, 1.0);
    EXPECT_EQ(c->routeLabel, QStringLiteral("handler"));
    EXPECT_EQ(c->auth, PrometheusConfig::Auth::Basic);
    EXPECT_EQ(c->basicUser, QStringLiteral("ops"));
    EXPECT_EQ(c->keychainEntry, QStringLiteral("fleet/prometheus")); // never the secret
    EXPECT_TRUE(c->caPem.startsWith("-----BEGIN CERTIFICATE-----"));

    auto flags =
        parsed(o, {QStringLiteral("--prometheus"), QStringLiteral("http://other:9090"),
                   QStringLiteral("--prometheus-selector"), QStringLiteral("other_s"),
                   QStringLiteral("--prometheus-unit"), QStringLiteral("s"),
                   QStringLiteral("--prometheus-secret-env"), QStringLiteral("PROM_TOKEN")});
    ASSERT_TRUE(o.prometheus(*flags, &prof, &c, &error)) << error.toStdString();
    EXPECT_EQ(c->url, QStringLiteral("http://other:9090"));
    EXPECT_EQ(c->selector, QStringLiteral("other_s"));
    EXPECT_EQ(c->millisPerUnit, 1000.0);
    EXPECT_EQ(c->routeLabel, QStringLiteral("handler")); // no flag: the profile's
    EXPECT_EQ(c->secretEnv, QStringLiteral("PROM_TOKEN"));
    EXPECT_TRUE(c->keychainEntry.isEmpty());

    // Without a URL the profile lends its labels only; a bad URL says so.
    ConnectionProfile labels = prof;
    labels.promUrl.clear();
    labels.promAuth = ConnectionProfile::PromAuth::None;
    labels.promCaFile.clear();
    ASSERT_TRUE(o.prometheus(*none, &labels, &c, &error));
    EXPECT_FALSE(c);
    ConnectionProfile bad = prof;
    bad.promUrl = QStringLiteral("prom.example:9090");
    EXPECT_TRUE(bad.validate().startsWith(QStringLiteral("Prometheus URL")))
        << bad.validate().toStdString();
}

} // namespace
