#pragma once

// Certificates made by openssl during a test, in a temporary folder: two
// CAs, server certificates (valid, expired, for another host name) and a
// client certificate, all EC P-256 so they take milliseconds.

#include <QString>
#include <QTemporaryDir>

namespace sb::test {

class TestCerts
{
public:
    // Runs openssl; ok() says whether every file was made (error() why not).
    TestCerts();
    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }

    QString path(const QString &name) const { return m_dir.filePath(name); }
    // PEM contents of ca.pem, server.pem, server.key, expired.pem, wrongname.pem,
    // other-ca.pem, client-ca.pem, client.pem, client.key, ...
    std::string pem(const QString &name) const;

private:
    bool run(const QStringList &args);
    bool makeCa(const QString &name, const QString &cn);
    bool makeLeaf(const QString &name, const QString &ca, const QString &cn, const QString &san,
                  const QString &days);

    QTemporaryDir m_dir;
    QString m_error;
};

} // namespace sb::test
