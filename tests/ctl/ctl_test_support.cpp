#include "ctl_test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <gtest/gtest.h>

namespace sb::test {

QJsonObject CtlRun::json() const
{
    QJsonParseError e;
    const QJsonDocument d = QJsonDocument::fromJson(out, &e);
    EXPECT_EQ(e.error, QJsonParseError::NoError)
        << e.errorString().toStdString() << " in: " << out.left(400).toStdString()
        << " stderr: " << err.toStdString();
    return d.object();
}

QString CtlFixture::binary()
{
    return QStringLiteral(SB_CTL_BINARY);
}

CtlFixture::CtlFixture()
{
    sim::SimOptions o;
    o.rate = 300;
    o.tokens["alice-token"] = {sim::Role::Operator, "alice"};
    o.tokens["bob-token"] = {sim::Role::Operator, "bob"};
    o.tokens["vera-token"] = {sim::Role::Viewer, "vera"};
    o.tokens["root-token"] = {sim::Role::Admin, "root"};
    m_sim = std::make_unique<sim::SimServer>(o);
    std::string err;
    EXPECT_TRUE(m_sim->start(&err)) << err;
    for (const QStringList &add :
         {QStringList{"context", "add", "dev", "--endpoint", address(), "--token-env", "SB_TOKEN"},
          QStringList{"context", "add", "prod", "--endpoint", address(), "--env", "prod",
                      "--token-env", "SB_TOKEN"}}) {
        const CtlRun r = run(add);
        EXPECT_EQ(r.code, 0) << r.err.toStdString();
    }
}

CtlFixture::~CtlFixture()
{
    m_sim->shutdown();
}

QProcessEnvironment CtlFixture::env(const QString &token) const
{
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert(QStringLiteral("XDG_CONFIG_HOME"), configDir());
    e.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
    e.insert(QStringLiteral("SWITCHBOARD_CACHE"), cachePath());
    e.remove(QStringLiteral("SWITCHBOARD_CONTEXT"));
    e.remove(QStringLiteral("SWITCHBOARD_TOKEN"));
    if (!token.isEmpty())
        e.insert(QStringLiteral("SB_TOKEN"), token);
    return e;
}

CtlRun CtlFixture::run(const QStringList &args, const QString &token, const QByteArray &stdinData,
                       const QMap<QString, QString> &extraEnv) const
{
    QProcess p;
    QProcessEnvironment e = env(token);
    for (auto it = extraEnv.begin(); it != extraEnv.end(); ++it)
        e.insert(it.key(), it.value());
    p.setProcessEnvironment(e);
    p.start(binary(), args);
    EXPECT_TRUE(p.waitForStarted(10000));
    if (!stdinData.isEmpty())
        p.write(stdinData);
    p.closeWriteChannel();
    EXPECT_TRUE(p.waitForFinished(60000)) << args.join(' ').toStdString();
    CtlRun r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    EXPECT_EQ(p.exitStatus(), QProcess::NormalExit)
        << "switchboard-ctl " << args.join(' ').toStdString()
        << " crashed: " << r.err.toStdString();
    return r;
}

std::unique_ptr<QProcess> CtlFixture::start(const QStringList &args, const QString &token) const
{
    auto p = std::make_unique<QProcess>();
    p->setProcessEnvironment(env(token));
    p->start(binary(), args);
    EXPECT_TRUE(p->waitForStarted(10000));
    p->closeWriteChannel();
    return p;
}

QJsonObject findByName(const QJsonObject &answer, const QString &list, const QString &name,
                       const QString &field)
{
    for (const QJsonValue &v : answer.value(list).toArray()) {
        if (v.toObject().value(field).toString() == name)
            return v.toObject();
    }
    ADD_FAILURE() << "no " << name.toStdString() << " in " << list.toStdString();
    return {};
}

} // namespace sb::test
