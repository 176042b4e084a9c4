#pragma once

// A real Prometheus (Debian's `prometheus` 2.42) for tests: started on
// 127.0.0.1 at a free port with a temporary storage folder and the flags
// native histograms, remote write in and exemplars need; fed by remote write
// (snappy-compressed protobuf, in time order: Prometheus refuses a new
// series' sample about an hour older than its newest data).

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
HttpAnswer httpGet(const QString &url, int timeoutMs = 10000);
HttpAnswer httpPost(const QString &url, const QByteArray &body,
                    const QList<std::pair<QByteArray, QByteArray>> &headers, int timeoutMs = 10000);

class PrometheusServer
{
public:
    explicit PrometheusServer(bool nativeHistograms = true);
    ~PrometheusServer();
    // False (with the reason) when the binary is missing or never got ready.
    bool start(QString *error);
    void stop();
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    // Remote write; the HTTP answer (204 on success, else Prometheus' sentence).
    HttpAnswer write(const prometheus::WriteRequest &req);

    static int freePort();

private:
    bool m_native;
    int m_port = 0;
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
};

} // namespace sb::test
