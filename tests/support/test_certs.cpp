#include "test_certs.h"

#include <QFile>
#include <QProcess>

namespace sb::test {

TestCerts::TestCerts()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary folder");
        return;
    }
    const bool made =
        makeCa(QStringLiteral("ca"), QStringLiteral("Switchboard Test CA")) &&
        makeCa(QStringLiteral("other-ca"), QStringLiteral("Somebody Else's CA")) &&
        makeCa(QStringLiteral("client-ca"), QStringLiteral("Switchboard Client CA")) &&
        makeLeaf(QStringLiteral("server"), QStringLiteral("ca"), QStringLiteral("localhost"),
                 QStringLiteral("DNS:localhost,IP:127.0.0.1"), QStringLiteral("2")) &&
        makeLeaf(QStringLiteral("expired"), QStringLiteral("ca"), QStringLiteral("localhost"),
                 QStringLiteral("DNS:localhost,IP:127.0.0.1"), QStringLiteral("-1")) &&
        makeLeaf(QStringLiteral("wrongname"), QStringLiteral("ca"),
                 QStringLiteral("service.example"), QStringLiteral("DNS:service.example"),
                 QStringLiteral("2")) &&
        makeLeaf(QStringLiteral("client"), QStringLiteral("client-ca"),
                 QStringLiteral("console-user"), QString(), QStringLiteral("2"));
    if (!made && m_error.isEmpty())
        m_error = QStringLiteral("openssl failed");
}

bool TestCerts::run(const QStringList &args)
{
    QProcess p;
    p.setWorkingDirectory(m_dir.path());
    p.start(QStringLiteral("openssl"), args);
    if (!p.waitForFinished(20000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        m_error =
            QStringLiteral("openssl %1: %2")
                .arg(args.join(QLatin1Char(' ')), QString::fromUtf8(p.readAllStandardError()));
        return false;
    }
    return true;
}

bool TestCerts::makeCa(const QString &name, const QString &cn)
{
    return run({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                QStringLiteral("-keyout"), name + QStringLiteral(".key"), QStringLiteral("-out"),
                name + QStringLiteral(".pem"), QStringLiteral("-days"), QStringLiteral("2"),
                QStringLiteral("-subj"), QStringLiteral("/CN=") + cn});
}

bool TestCerts::makeLeaf(const QString &name, const QString &ca, const QString &cn,
                         const QString &san, const QString &days)
{
    QFile ext(path(name + QStringLiteral(".ext")));
    if (!ext.open(QIODevice::WriteOnly))
        return false;
    ext.write(san.isEmpty() ? "extendedKeyUsage=clientAuth\n"
                            : ("subjectAltName=" + san.toUtf8() + "\n"));
    ext.close();
    return run({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-newkey"),
                QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                QStringLiteral("-keyout"), name + QStringLiteral(".key"), QStringLiteral("-out"),
                name + QStringLiteral(".csr"), QStringLiteral("-subj"),
                QStringLiteral("/CN=") + cn}) &&
           run({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                name + QStringLiteral(".csr"), QStringLiteral("-CA"), ca + QStringLiteral(".pem"),
                QStringLiteral("-CAkey"), ca + QStringLiteral(".key"),
                QStringLiteral("-CAcreateserial"), QStringLiteral("-days"), days,
                QStringLiteral("-extfile"), name + QStringLiteral(".ext"), QStringLiteral("-out"),
                name + QStringLiteral(".pem")});
}

std::string TestCerts::pem(const QString &name) const
{
    QFile f(path(name));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().toStdString();
}

} // namespace sb::test
