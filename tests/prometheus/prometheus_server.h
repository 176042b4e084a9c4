#pragma once

// A real Prometheus (Debian's `prometheus` 2.42) for tests: started on
// 127.0.0.1 at a free port with a temporary storage folder and the flags
// native histograms, remote write in and exemplars need; fed by remote write
// (snappy-compressed protobuf, in time order: Prometheus refuses a new
// series' sample about an hour older than its newest data). With a
// WebConfig it serves https with the given certificate and/or asks for basic
// auth (--web.config.file; the password's bcrypt hash is written into it).

#include "prompb/remote.pb.h"

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <memory>

namespace sb::test {

struct HttpAnswer
{
    int status = 0; // 0: no answer
    QByteArray body;
};

// Blocking HTTP for test code (an event loop runs while waiting).
using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;
HttpAnswer httpGet(const QString &url, int timeoutMs = 10000, const HttpHeaders &headers = {},
                   const QByteArray &caPem = {});
HttpAnswer httpPost(const QString &url, const QByteArray &body, const HttpHeaders &headers,
                    int timeoutMs = 10000, const QByteArray &caPem = {});

struct WebConfig
{
    QString certFile, keyFile; // both set: https
    QString user;              // set: basic auth as user / password
    QString password;
    QString bcryptHash; // of password (Prometheus 2.42 reads bcrypt only)
    QByteArray caPem;   // what the test's own requests trust
};

class PrometheusServer
{
public:
    explicit PrometheusServer(bool nativeHistograms = true, WebConfig web = {});
    ~PrometheusServer();
    // False (with the reason) when the binary is missing or never got ready.
    bool start(QString *error);
    void stop();
    QString url() const
    {
        return QStringLiteral("%1://127.0.0.1:%2")
            .arg(m_web.certFile.isEmpty() ? QStringLiteral("http") : QStringLiteral("https"))
            .arg(m_port);
    }
    // Remote write; the HTTP answer (204 on success, else Prometheus' sentence).
    HttpAnswer write(const prometheus::WriteRequest &req);

    static int freePort();

private:
    HttpHeaders auth() const;
    bool writeWebConfig(QString *path);

    bool m_native;
    WebConfig m_web;
    int m_port = 0;
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
};

} // namespace sb::test
