#include "prometheus_server.h"

#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
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

HttpAnswer httpGet(const QString &url, int timeoutMs)
{
    QNetworkRequest r{QUrl(url)};
    r.setTransferTimeout(timeoutMs);
    return wait(network().get(r), timeoutMs);
}

HttpAnswer httpPost(const QString &url, const QByteArray &body,
                    const QList<std::pair<QByteArray, QByteArray>> &headers, int timeoutMs)
{
    QNetworkRequest r{QUrl(url)};
    r.setTransferTimeout(timeoutMs);
    for (const auto &[k, v] : headers)
        r.setRawHeader(k, v);
    return wait(network().post(r, body), timeoutMs);
}

PrometheusServer::PrometheusServer(bool nativeHistograms) : m_native(nativeHistograms) {}

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
                return httpGet(url() + QStringLiteral("/-/ready"), 2000).status == 200;
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
                    {{"Content-Type", "application/x-protobuf"},
                     {"Content-Encoding", "snappy"},
                     {"X-Prometheus-Remote-Write-Version", "0.1.0"}});
}

} // namespace sb::test
