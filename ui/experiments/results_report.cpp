#include "ui/experiments/results_report.h"

#include "core/clock.h"
#include "core/experiment_report.h"
#include "ui/common/format.h"
#include "ui/common/privacy.h"
#include "ui/experiments/results_charts.h"
#include "ui/experiments/results_controller.h"
#include "ui/experiments/results_model.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QTextDocument>
#include <QUrl>
#include <cmath>
#include <qcustomplot.h>

namespace sb {

namespace {

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

QString decisionColour(Analysis::Decision d)
{
    using D = Analysis::Decision;
    switch (d) {
    case D::Winner:
        return QStringLiteral("#2e7d32");
    case D::SplitBroken:
        return QStringLiteral("#d32f2f");
    case D::WinnerBreaksGuardrail:
        return QStringLiteral("#e08a00");
    default:
        return QStringLiteral("#555555");
    }
}

// The model's cells as an HTML table, for the given columns.
QString table(const ResultsModel &m, const std::vector<int> &columns)
{
    QString html = QStringLiteral(
        "<table border=1 cellspacing=0 cellpadding=4 width='100%' style='border-collapse:"
        "collapse; font-size:9pt'><tr>");
    for (int c : columns)
        html += QStringLiteral("<th bgcolor='#eeeeee' align=left>%1</th>")
                    .arg(esc(m.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString()));
    html += QStringLiteral("</tr>");
    for (int r = 0; r < m.rowCount(); ++r) {
        html += QStringLiteral("<tr>");
        for (int c : columns) {
            const QModelIndex i = m.index(r, c);
            const QVariant fg = i.data(Qt::ForegroundRole);
            const QString colour =
                fg.canConvert<QColor>() && fg.value<QColor>().isValid()
                    ? QStringLiteral(" style='color:%1'").arg(fg.value<QColor>().name())
                    : QString();
            html += QStringLiteral("<td%1>%2</td>").arg(colour, esc(i.data().toString()));
        }
        html += QStringLiteral("</tr>");
    }
    return html + QStringLiteral("</table>");
}

} // namespace

QString exportResults(const QString &pdfPath, const ResultsController &results,
                      ResultsCharts *charts)
{
    const Experiment &e = results.experiment();
    const Analysis &a = results.analysis();
    if (e.id.isEmpty())
        return QObject::tr("Select an experiment first.");

    QTextDocument doc;
    QString html;
    html += QStringLiteral("<h1>%1</h1>").arg(esc(e.name));
    html += QObject::tr("<p>Experiment %1 on route <b>%2</b>, %3 · primary metric <b>%4</b> · "
                        "report of %5 (results taken %6)</p>")
                .arg(esc(e.id), esc(e.route), toString(e.state), toString(a.primary),
                     formatTime(clock::nowMs()), formatTime(results.results().timeMs));
    if (!e.description.isEmpty())
        html += QStringLiteral("<p><i>%1</i></p>").arg(esc(e.description));
    html += QStringLiteral("<table width='100%' cellpadding=10 border=0><tr><td "
                           "style='border: 2px solid %1'><p style='font-size:16pt; color:%1'>"
                           "<b>%2</b></p><p style='font-size:11pt'>%3</p></td></tr></table>")
                .arg(decisionColour(a.decision), esc(a.headline), esc(a.reason));
    if (a.srmMismatch)
        html += QObject::tr("<p style='color:#d32f2f'><b>Sample ratio mismatch</b>: the "
                            "observed split does not match the weights (χ² = %1, p = %2). "
                            "Every number below is suspect.</p>")
                    .arg(a.srm.chiSquare, 0, 'f', 1)
                    .arg(a.srm.pValue, 0, 'g', 2);
    else if (a.srmChecked)
        html += QObject::tr("<p>Split check: exposures match the weights (χ² test, p = %1).</p>")
                    .arg(a.srm.pValue, 0, 'g', 2);
    const ResultsModel &m = *const_cast<ResultsController &>(results).model();
    html += QObject::tr("<h3>Per variant</h3>");
    html +=
        table(m, {ResultsModel::Variant, ResultsModel::Traffic, ResultsModel::Exposures,
                  ResultsModel::SuccessRate, ResultsModel::P95Latency, ResultsModel::CostPerRequest,
                  ResultsModel::Preference, ResultsModel::Hallucinations});
    html += QObject::tr("<h3>Against control on %1 (this decides)</h3>").arg(toString(a.primary));
    html += table(m, {ResultsModel::Variant, ResultsModel::VsControl, ResultsModel::ChanceToBeat,
                      ResultsModel::PValue, ResultsModel::Guardrails});
    QStringList guard;
    for (const auto &v : a.variants) {
        for (const auto &g : v.guardrails)
            guard
                << QStringLiteral("%1 — %2: %3").arg(esc(v.name), toString(g.status), esc(g.text));
    }
    if (!guard.isEmpty())
        html += QObject::tr("<h3>Guardrails</h3><ul><li>%1</li></ul>")
                    .arg(guard.join(QStringLiteral("</li><li>")));
    const VoteRanking &r = results.ranking();
    if (r.votes > 0) {
        QStringList parts;
        for (int i = 0; i < int(r.variantIds.size()); ++i) {
            if (!std::isfinite(r.model.standardError[std::size_t(i)]) ||
                r.model.standardError[std::size_t(i)] == 0)
                continue;
            const auto ci = r.model.interval(i);
            auto p = [](double d) { return 100.0 / (1 + std::exp(-d)); };
            parts << QObject::tr("%1 beats control in %2 % of head-to-heads (95 %: %3–%4 %)")
                         .arg(esc(r.names[i]))
                         .arg(p(r.model.logStrength[std::size_t(i)]), 0, 'f', 0)
                         .arg(p(ci.lo), 0, 'f', 0)
                         .arg(p(ci.hi), 0, 'f', 0);
        }
        html += QObject::tr("<p>Arena votes on this console (%1 voted runs, Bradley–Terry): "
                            "%2.</p>")
                    .arg(r.votes)
                    .arg(parts.join(QStringLiteral("; ")));
    }
    if (charts) {
        html += QObject::tr("<h3>Charts</h3>");
        int n = 0;
        for (QCustomPlot *p : {charts->successPlot(), charts->latencyPlot(), charts->splitPlot()}) {
            const QImage img = p->toPixmap(900, 520, 1.0).toImage();
            const QUrl url(QStringLiteral("chart://%1").arg(n++));
            doc.addResource(QTextDocument::ImageResource, url, img);
            html += QStringLiteral("<p><img src='%1' width=1000></p>").arg(url.toString());
        }
    }
    html += QObject::tr("<h3>Methods</h3><p style='font-size:9pt'>%1</p>")
                .arg(esc(methodsText(a, results.settings())));
    // Exported while presenting: no host, token or request id in the file either.
    doc.setHtml(privacy::masked(html));

    QPdfWriter pdf(pdfPath);
    pdf.setTitle(e.name);
    pdf.setCreator(QStringLiteral("Switchboard"));
    pdf.setPageSize(QPageSize(QPageSize::A4));
    pdf.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
    pdf.setResolution(150);
    doc.setPageSize(QSizeF(pdf.pageLayout().paintRectPixels(pdf.resolution()).size()));
    doc.print(&pdf);
    if (!QFileInfo(pdfPath).exists() || QFileInfo(pdfPath).size() == 0)
        return QObject::tr("Could not write %1.").arg(pdfPath);

    const QString csvPath = QFileInfo(pdfPath).path() + QLatin1Char('/') +
                            QFileInfo(pdfPath).completeBaseName() + QStringLiteral(".csv");
    QFile csv(csvPath);
    if (!csv.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return QObject::tr("Wrote %1, but not %2: %3").arg(pdfPath, csvPath, csv.errorString());
    csv.write(privacy::masked(resultsCsv(e, results.results(), a)).toUtf8());
    if (!csv.flush())
        return QObject::tr("Could not write %1: %2").arg(csvPath, csv.errorString());
    return {};
}

} // namespace sb
