// LatencyChart, its hover: the crosshair across the panels, every visible
// series' exact values at that second (or minute, in older history) and, near
// a marker, who changed what and why.

#include "ui/common/format.h"
#include "ui/latency/chart_markers.h"
#include "ui/latency/chart_style.h"
#include "ui/latency/latency_chart_series.h"

#include <QDateTime>
#include <QLabel>
#include <QMouseEvent>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace sb {

using namespace chart;

namespace {

std::deque<SeriesPoint>::const_iterator at(const std::deque<SeriesPoint> &d, qint64 ms)
{
    return std::lower_bound(d.begin(), d.end(), ms,
                            [](const SeriesPoint &p, qint64 t) { return p.timeMs < t; });
}

QString valuesText(const SeriesPoint &p)
{
    return LatencyChart::tr("p99 %1 · p95 %2 · p50 %3<br>&nbsp;&nbsp;%4 req/s · errors %5 · "
                            "fallbacks %6 · TTFT %7")
        .arg(lat(lineValue(P99, p)), lat(lineValue(P95, p)), lat(lineValue(P50, p)),
             num(lineValue(Throughput, p), 0), pct(p.value(SeriesMetric::ErrorRate)),
             pct(p.value(SeriesMetric::FallbackShare)), lat(lineValue(TtftP50, p)));
}

} // namespace

QString LatencyChart::valuesAt(double key) const
{
    const qint64 ms = qint64(std::floor(key)) * 1000;
    QStringList rows{QStringLiteral("<b>%1</b>").arg(formatClock(ms).toHtmlEscaped())};
    for (const auto &s : m_series) {
        if (!s->visible)
            continue;
        QString values = tr("no data");
        auto it = at(s->points, ms);
        if (it != s->points.end() && it->timeMs == ms) {
            values = valuesText(*it);
        } else {
            const qint64 minute = ms - ((ms % 60'000) + 60'000) % 60'000;
            auto m = at(s->minutes, minute);
            if (m != s->minutes.end() && m->timeMs == minute)
                values = tr("minute from %1: %2")
                             .arg(QDateTime::fromMSecsSinceEpoch(minute).toString(
                                      QStringLiteral("HH:mm")),
                                  valuesText(*m));
        }
        rows << QStringLiteral("<span style='color:%1'>&#9632;</span> %2: %3")
                    .arg(s->color.name(), s->label.toHtmlEscaped(), values);
    }
    return rows.join(QStringLiteral("<br>"));
}

void LatencyChart::hoverAt(const QPoint &pos)
{
    QCPAxis *x = m_panels[0]->axis(QCPAxis::atBottom);
    bool inside = false;
    for (auto *rect : m_panels)
        inside = inside || rect->rect().contains(pos);
    if (!inside || m_series.empty()) {
        hideHover();
        return;
    }
    const double key = std::floor(x->pixelToCoord(pos.x()));
    for (auto *c : m_cross) {
        c->point1->setCoords(key, 0);
        c->point2->setCoords(key, 1);
        c->setVisible(true);
    }
    QString text = valuesAt(key);
    if (const ChartMarker *m = m_markers->near(pos.x()))
        // One line per part of the detail (who, what, why), so a long reason
        // wraps inside the box instead of running off the window.
        text = QStringLiteral("<b>&#9873; %1</b> at %2<br>%3<hr>")
                   .arg(m->title.toHtmlEscaped(), formatClock(m->timeMs).toHtmlEscaped(),
                        m->detail.toHtmlEscaped().replace(QStringLiteral(" · "),
                                                          QStringLiteral("<br>"))) +
               text;
    m_hover->setWordWrap(false);
    m_hover->setText(text);
    m_hover->adjustSize();
    // A box wider than most of the plot (a long reason) wraps to fit.
    if (const int most = std::max(260, m_plot->width() * 3 / 5); m_hover->width() > most) {
        m_hover->setWordWrap(true);
        m_hover->resize(most, m_hover->heightForWidth(most));
    }
    int hx = pos.x() + 16;
    if (hx + m_hover->width() > m_plot->width())
        hx = pos.x() - 16 - m_hover->width();
    m_hover->move(std::max(0, hx), std::max(0, pos.y() - m_hover->height() / 2));
    m_hover->show();
    m_hover->raise();
    m_dirty = true;
}

void LatencyChart::onMouseMove(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton)
        setFollowing(false); // dragging back through time
    hoverAt(event->pos());
}

void LatencyChart::hideHover()
{
    m_hover->hide();
    for (auto *c : m_cross)
        c->setVisible(false);
    m_dirty = true;
}

} // namespace sb
