#pragma once

// Exporting what the latency chart shows: the plot rendered to PNG or PDF
// bytes (on the GUI thread, where widgets render), the visible points as CSV,
// and the bytes written to disk on a pool thread with the outcome posted back,
// so a slow disk never stalls the window.

#include "core/series_store.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <functional>
#include <vector>

class QCustomPlot;

namespace sb::chart {

struct ExportSeries
{
    QString label;
    std::vector<SeriesPoint> points; // ascending, within the exported range
};

QByteArray renderPng(QCustomPlot *plot);
QByteArray renderPdf(QCustomPlot *plot, const QString &title);
// RFC 4180; one row per series per interval: local and UTC time, the
// interval's width, counts and every charted metric (empty where undefined).
QString csvOf(const std::vector<ExportSeries> &series);

// Writes on QThreadPool::globalInstance(); `done(ok, error)` runs on
// context's thread afterwards (not at all if context is gone).
void writeFileAsync(const QString &path, QByteArray bytes, QObject *context,
                    std::function<void(bool ok, const QString &error)> done);

} // namespace sb::chart
