#include "prometheus_server.h"

#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>
#include <QTimer>
#include <snappy.h>

namespace sb::test {

namespace {

HttpAnswer wait(QNetworkReply *reply, int timeoutMs)
{
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs + 1000, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    HttpAnswer a;
    if (reply->isFinished()) {
        a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        a.body = reply->readAll();
    } else {
        reply->abort();
    }
    reply->deleteLater();
    return a;
}

QNetworkAccessManager &network()
{
    static QNetworkAccessManager *n = new QNetworkAccessManager;
    return *n;
}

} // namespace

namespace {
QNetworkRequest requestFor(const QString &url, int timeoutMs, const HttpHeaders &headers,
                           const QByteArray &caPem)
{
    QNetworkRequest r{QUrl(url)};
    r.setTransferTimeout(timeoutMs);
    for (const auto &[k, v] : headers)
        r.setRawHeader(k, v);
    if (!caPem.isEmpty()) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates(QSslCertificate::fromData(caPem, QSsl::Pem));
        r.setSslConfiguration(tls);
    }
    return r;
}
} // namespace

HttpAnswer httpGet(const QString &url, int timeoutMs, const HttpHeaders &headers,
                   const QByteArray &caPem)
{
    return wait(network().get(requestFor(url, timeoutMs, headers, caPem)), timeoutMs);
}

HttpAnswer httpPost(const QString &url, const QByteArray &body, const HttpHeaders &headers,
                    int timeoutMs, const QByteArray &caPem)
{
    return wait(network().post(requestFor(url, timeoutMs, headers, caPem), body), timeoutMs);
}

PrometheusServer::PrometheusServer(bool nativeHistograms, WebConfig web)
    : m_native(nativeHistograms), m_web(std::move(web))
{}

HttpHeaders PrometheusServer::auth() const
{
    if (m_web.user.isEmpty())
        return {};
    return {{"Authorization",
             "Basic " + (m_web.user + QLatin1Char(':') + m_web.password).toUtf8().toBase64()}};
}

bool PrometheusServer::writeWebConfig(QString *path)
{
    if (m_web.certFile.isEmpty() && m_web.user.isEmpty())
        return true;
    QFile f(m_dir.filePath(QStringLiteral("web.yml")));
    if (!f.open(QIODevice::WriteOnly))
        return false;
    if (!m_web.certFile.isEmpty())
        f.write(QStringLiteral("tls_server_config:\n  cert_file: %1\n  key_file: %2\n")
                    .arg(m_web.certFile, m_web.keyFile)
                    .toUtf8());
    if (!m_web.user.isEmpty())
        f.write(QStringLiteral("basic_auth_users:\n  %1: '%2'\n")
                    .arg(m_web.user, m_web.bcryptHash)
                    .toUtf8());
    *path = f.fileName();
    return true;
}

PrometheusServer::~PrometheusServer()
{
    stop();
}

int PrometheusServer::freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

bool PrometheusServer::start(QString *error)
{
    const QString exe = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
    if (exe.isEmpty()) {
        *error = QStringLiteral("prometheus not installed (scripts/deps installs Debian's)");
        return false;
    }
    QFile config(m_dir.filePath(QStringLiteral("prometheus.yml")));
    if (!config.open(QIODevice::WriteOnly))
        return false;
    config.write("global:\n  scrape_interval: 1h\n");
    config.close();
    QString web;
    if (!writeWebConfig(&web)) {
        *error = QStringLiteral("cannot write web.yml");
        return false;
    }
    // A port taken between freePort() and the bind is retried.
    for (int attempt = 0; attempt < 3; ++attempt) {
        m_port = freePort();
        QStringList args{QStringLiteral("--config.file=") + config.fileName(),
                         QStringLiteral("--storage.tsdb.path=") + m_dir.filePath("data"),
                         QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(m_port),
                         QStringLiteral("--web.enable-remote-write-receiver"),
                         QStringLiteral("--log.level=warn")};
        if (m_native)
            args << QStringLiteral("--enable-feature=native-histograms,exemplar-storage");
        if (!web.isEmpty())
            args << QStringLiteral("--web.config.file=") + web;
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process->setStandardOutputFile(QProcess::nullDevice());
        m_process->start(exe, args);
        if (!m_process->waitForStarted(10000))
            continue;
        const bool ready = QTest::qWaitFor(
            [&] {
                if (m_process->state() != QProcess::Running)
                    return true;
                return httpGet(url() + QStringLiteral("/-/ready"), 2000, auth(), m_web.caPem)
                           .status == 200;
            },
            60000);
        if (ready && m_process->state() == QProcess::Running)
            return true;
        stop();
    }
    *error = QStringLiteral("prometheus did not get ready on 127.0.0.1");
    return false;
}

void PrometheusServer::stop()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(10000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_process.reset();
}

HttpAnswer PrometheusServer::write(const prometheus::WriteRequest &req)
{
    const std::string raw = req.SerializeAsString();
    std::string compressed;
    snappy::Compress(raw.data(), raw.size(), &compressed);
    return httpPost(url() + QStringLiteral("/api/v1/write"),
                    QByteArray(compressed.data(), qsizetype(compressed.size())),
                    HttpHeaders{{"Content-Type", "application/x-protobuf"},
                                {"Content-Encoding", "snappy"},
                                {"X-Prometheus-Remote-Write-Version", "0.1.0"}} +
                        auth(),
                    10000, m_web.caPem);
}

} // namespace sb::test
