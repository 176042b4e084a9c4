// Profile files (client/profile_file.h): every field of a profile survives
// export and import, the file never holds a secret, bad files and bad
// profiles are refused with a sentence that says where, and an import never
// overwrites a profile.

#include "client/profile_file.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <gtest/gtest.h>

using namespace sb;
using Source = ConnectionProfile::TokenSource;

namespace {

// Every stored field away from its default.
ConnectionProfile full()
{
    ConnectionProfile p;
    p.name = QStringLiteral("prod eu");
    p.endpoint = QStringLiteral("api.eu.example.com:443");
    p.environment = Environment::Prod;
    p.tls = true;
    p.caFile = QStringLiteral("/etc/sb/ca.pem");
    p.clientCertFile = QStringLiteral("/etc/sb/me.pem");
    p.clientKeyFile = QStringLiteral("/etc/sb/me.key");
    p.tokenSource = Source::Environment;
    p.tokenVariable = QStringLiteral("SB_PROD_TOKEN");
    p.metadata = {{QStringLiteral("x-team"), QStringLiteral("core: infra")},
                  {QStringLiteral("x-region"), QStringLiteral("eu")}};
    p.otlpRouteAttributes = {QStringLiteral("app.route"), QStringLiteral("http.route")};
    p.otlpModelAttributes = {QStringLiteral("gen_ai.request.model")};
    p.otlpVariantAttributes = {QStringLiteral("app.variant")};
    p.promRouteLabel = QStringLiteral("handler");
    p.promModelLabel = QStringLiteral("model");
    p.promVariantLabel = QStringLiteral("arm");
    p.promUrl = QStringLiteral("https://prom.eu.example:9090");
    p.promSelector = QStringLiteral("latency_ms{job=\"api\"}");
    p.promUnit = QStringLiteral("ms");
    p.promAuth = ConnectionProfile::PromAuth::Basic;
    p.promBasicUser = QStringLiteral("ops");
    p.promCaFile = QStringLiteral("/etc/sb/prom-ca.pem");
    return p;
}

QByteArray file(const QJsonArray &profiles, int version = 1)
{
    return QJsonDocument(
               QJsonObject{{QStringLiteral("format"), QStringLiteral("switchboard-profiles")},
                           {QStringLiteral("version"), version},
                           {QStringLiteral("profiles"), profiles}})
        .toJson();
}

QJsonObject minimal(const QString &name, const QString &endpoint = QStringLiteral("h:1"))
{
    return {{QStringLiteral("name"), name}, {QStringLiteral("endpoint"), endpoint}};
}

} // namespace

TEST(ProfileFile, EveryFieldSurvivesExportAndImport)
{
    const ConnectionProfile p = full();
    // A field added to profile_fields later must be set above too, or this
    // round trip would not prove it is kept.
    for (const auto &f : profile_fields::all())
        EXPECT_NE(f.get(p), f.get(ConnectionProfile{}))
            << "full() leaves " << f.key << " at its default";
    ConnectionProfile keychain = p;
    keychain.name = QStringLiteral("staging");
    keychain.tokenSource = Source::Keychain;
    keychain.tokenVariable.clear();

    const profile_file::ReadResult r = profile_file::read(profile_file::write({p, keychain}));
    ASSERT_EQ(r.error, QString());
    EXPECT_TRUE(r.refused.isEmpty()) << r.refused.join(QLatin1Char('\n')).toStdString();
    ASSERT_EQ(r.profiles.size(), 2u);
    EXPECT_EQ(r.profiles[0], p);
    EXPECT_EQ(r.profiles[1], keychain);
}

TEST(ProfileFile, TheFileNamesWhereTheTokenIsNeverTheTokenAndSkipsBuiltIns)
{
    ConnectionProfile p = full();
    p.tokenSource = Source::Keychain;
    ConnectionProfile sim;
    sim.name = QStringLiteral("sim");
    sim.endpoint = QStringLiteral("127.0.0.1:5000");
    sim.builtIn = true;
    const QByteArray bytes = profile_file::write({p, sim});
    const QJsonObject o = QJsonDocument::fromJson(bytes).object();
    const QJsonArray list = o.value(QStringLiteral("profiles")).toArray();
    ASSERT_EQ(list.size(), 1) << "the in-process sim is not a profile to share";
    EXPECT_EQ(list[0].toObject().value(QStringLiteral("tokenSource")).toString(),
              QStringLiteral("keychain"));
    for (const QString &k : list[0].toObject().keys())
        EXPECT_FALSE(k.contains(QLatin1String("token"), Qt::CaseInsensitive) &&
                     k != QLatin1String("tokenSource") && k != QLatin1String("tokenVariable"))
            << k.toStdString();
    EXPECT_FALSE(bytes.contains("BEGIN"));
}

TEST(ProfileFile, BadFilesAreRefusedWholeWithASentence)
{
    auto error = [](const QByteArray &b) { return profile_file::read(b).error.toStdString(); };
    EXPECT_EQ(error("{\"profiles\": ["),
              "The file is not valid JSON (unterminated array at byte 14).");
    EXPECT_EQ(error("[1, 2]"), "The file is JSON but not a Switchboard profiles file (it has no "
                               "\"format\": \"switchboard-profiles\").");
    EXPECT_EQ(error(file({}, 2)), "The file was written by a newer Switchboard (format version 2; "
                                  "this one reads version 1): update Switchboard to import it.");
    EXPECT_EQ(error(R"({"format": "switchboard-profiles", "version": 1, "profiles": {}})"),
              "The file has no \"profiles\" list.");
    EXPECT_EQ(error(QByteArray(profile_file::kMaxBytes + 1, ' ')),
              "The file is larger than 1 MiB: it is not a Switchboard profiles file.");
    EXPECT_TRUE(profile_file::read(file({})).error.isEmpty()) << "an empty list is a file";
}

TEST(ProfileFile, ABadProfileIsLeftOutNamingItAndTheFieldTheRestImports)
{
    QJsonObject badType = minimal(QStringLiteral("typed"));
    badType.insert(QStringLiteral("tls"), QStringLiteral("yes"));
    QJsonObject badEnv = minimal(QStringLiteral("env"));
    badEnv.insert(QStringLiteral("environment"), QStringLiteral("qa"));
    QJsonObject secret = minimal(QStringLiteral("leaky"));
    secret.insert(QStringLiteral("token"), QStringLiteral("tok-canary-77"));
    QJsonObject pem = minimal(QStringLiteral("pem"));
    pem.insert(QStringLiteral("clientKeyFile"), QStringLiteral("-----BEGIN PRIVATE KEY-----\nMII"));
    QJsonObject newer = minimal(QStringLiteral("newer"));
    newer.insert(QStringLiteral("colour"), QStringLiteral("teal"));
    const QByteArray bytes = file({minimal(QStringLiteral("ok")),
                                   minimal(QStringLiteral("no port"), QStringLiteral("h")), badType,
                                   badEnv, secret, pem, 7, minimal(QStringLiteral("ok")), newer});
    const profile_file::ReadResult r = profile_file::read(bytes);
    ASSERT_EQ(r.error, QString());
    ASSERT_EQ(r.profiles.size(), 2u);
    EXPECT_EQ(r.profiles[0].name, QStringLiteral("ok"));
    EXPECT_EQ(r.profiles[1].name, QStringLiteral("newer"));
    const QStringList expected = {
        QStringLiteral("Profile 2 (\"no port\"): Endpoint: expected host:port, e.g. "
                       "switchboard.example.com:443."),
        QStringLiteral("Profile 3 (\"typed\"): \"tls\" must be true or false."),
        QStringLiteral("Profile 4 (\"env\"): \"environment\" must be dev, staging or prod."),
        QStringLiteral("Profile 5 (\"leaky\"): it carries a secret (\"token\"); profile files "
                       "never hold tokens or keys: remove it and keep the token in the keychain "
                       "or an environment variable."),
        QStringLiteral("Profile 6 (\"pem\"): \"clientKeyFile\" holds PEM key material; a profile "
                       "names certificate files by path."),
        QStringLiteral("Profile 7: not an object with the profile's fields."),
        QStringLiteral("Profile 8 (\"ok\"): the file has another profile of that name before it."),
    };
    EXPECT_EQ(r.refused, expected);
    EXPECT_EQ(r.notes,
              QStringList{QStringLiteral("Ignored fields this version does not know: colour.")});
    for (const QString &s : r.refused)
        EXPECT_FALSE(s.contains(QLatin1String("tok-canary-77")))
            << "a refusal never repeats the secret";
}

TEST(ProfileFile, ImportNeverOverwritesAClashIsAddedUnderANewName)
{
    ConnectionProfile prod = full();
    ConnectionProfile other = prod;
    other.endpoint = QStringLiteral("api.us.example.com:443");
    ConnectionProfile fresh = full();
    fresh.name = QStringLiteral("fresh");
    fresh.tokenSource = Source::Keychain;
    fresh.tokenVariable.clear();

    const auto m = profile_file::merge({prod}, {prod, other, fresh});
    ASSERT_EQ(m.profiles.size(), 3u);
    EXPECT_EQ(m.profiles[0], prod) << "the existing profile is untouched";
    EXPECT_EQ(m.profiles[1].name, QStringLiteral("prod eu (imported)"));
    EXPECT_EQ(m.profiles[1].endpoint, other.endpoint);
    EXPECT_EQ(m.profiles[2], fresh);
    EXPECT_EQ(m.unchanged, QStringList{QStringLiteral("prod eu")});
    EXPECT_EQ(m.summary(),
              QStringLiteral("Added 2 profile(s): \"prod eu (imported)\", \"fresh\". A different "
                             "profile already had the name, so imported \"prod eu\" as \"prod eu "
                             "(imported)\". Already here and identical: \"prod eu\". Type the "
                             "token of \"fresh\": tokens stay in the keychain they were kept in."));

    // Imported twice: the second copy gets the next free name.
    const auto again = profile_file::merge(m.profiles, {other});
    EXPECT_EQ(again.added, QStringList{QStringLiteral("prod eu (imported 2)")});
}
