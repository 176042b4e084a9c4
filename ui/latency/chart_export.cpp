#include "ui/latency/chart_export.h"

#include "ui/common/privacy.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QPdfWriter>
#include <QPointer>
#include <QSaveFile>
#include <QThreadPool>
#include <cmath>
#include <qcustomplot.h>

namespace sb::chart {

namespace {

QString field(double v, int digits)
{
    return std::isnan(v) ? QString() : QString::number(v, 'f', digits);
}

QString quoted(const QString &s)
{
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) &&
        !s.contains(QLatin1Char('\n')) && !s.contains(QLatin1Char('\r')))
        return s;
    QString q = s;
    q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

} // namespace

QByteArray renderPng(QCustomPlot *plot)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    plot->toPixmap(plot->width(), plot->height()).save(&buffer, "PNG");
    return bytes;
}

QByteArray renderPdf(QCustomPlot *plot, const QString &title)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter pdf(&buffer);
        pdf.setTitle(title);
        pdf.setCreator(QStringLiteral("Switchboard"));
        pdf.setResolution(72); // one PDF point per plot pixel
        pdf.setPageSize(QPageSize(QSizeF(plot->width(), plot->height()), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QCPPainter painter(&pdf);
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
        plot->toPainter(&painter, plot->width(), plot->height());
    }
    return bytes;
}

QString csvOf(const std::vector<ExportSeries> &series)
{
    QString out = QStringLiteral(
        "time_local,time_utc,series,interval_s,requests,errors,fallbacks,p50_ms,p95_ms,p99_ms,"
        "ttft_p50_ms,req_per_s,error_pct,fallback_pct\r\n");
    for (const auto &s : series) {
        for (const SeriesPoint &p : s.points) {
            const QDateTime t = QDateTime::fromMSecsSinceEpoch(p.timeMs);
            const QStringList row{
                t.toString(Qt::ISODate),
                t.toUTC().toString(Qt::ISODate),
                quoted(s.label),
                QString::number(p.durationMs / 1000),
                QString::number(p.count),
                QString::number(p.errors),
                QString::number(p.fallbacks),
                field(p.value(SeriesMetric::P50), 3),
                field(p.value(SeriesMetric::P95), 3),
                field(p.value(SeriesMetric::P99), 3),
                field(p.value(SeriesMetric::TtftP50), 3),
                field(p.value(SeriesMetric::Throughput), 3),
                field(100.0 * p.value(SeriesMetric::ErrorRate), 3),
                field(100.0 * p.value(SeriesMetric::FallbackShare), 3),
            };
            out += row.join(QLatin1Char(',')) + QStringLiteral("\r\n");
        }
    }
    return privacy::masked(out); // exported while presenting: masked as on screen
}

void writeFileAsync(const QString &path, QByteArray bytes, QObject *context,
                    std::function<void(bool, const QString &)> done)
{
    QPointer<QObject> guard(context);
    QThreadPool::globalInstance()->start([path, bytes = std::move(bytes), guard, done] {
        QSaveFile file(path);
        QString error;
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
            error = file.errorString();
        // Posted to the application object (alive until the end) and the
        // context checked there, on its own thread: a QPointer is not safe to
        // read from this one.
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [guard, done, error] {
                if (guard)
                    done(error.isEmpty(), error);
            },
            Qt::QueuedConnection);
    });
}

} // namespace sb::chart
