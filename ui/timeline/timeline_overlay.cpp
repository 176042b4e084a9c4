#include "ui/timeline/timeline_overlay.h"

#include "ui/common/event_log.h"
#include "ui/common/format.h"
#include "ui/common/privacy.h"
#include "ui/latency/chart_markers.h"
#include "ui/latency/latency_chart.h"
#include "ui/timeline/note_dialog.h"

#include <QMenu>
#include <QToolButton>
#include <cstdlib>

namespace sb {

namespace {

// An audit-trail marker the timeline already has (same target, within a few seconds).
bool covered(const ChartMarker &m, const std::vector<TimelineEvent> &events)
{
    const QString target = m.target.isEmpty() ? m.title.section(QLatin1Char(' '), 1) : m.target;
    for (const auto &e : events) {
        if ((e.kind == EventKind::LocalChange || e.kind == EventKind::OthersChange ||
             e.kind == EventKind::Circuit) &&
            std::llabs(e.timeMs - m.timeMs) <= 3000 && (target.isEmpty() || e.target == target))
            return true;
    }
    return false;
}

} // namespace

TimelineOverlay::TimelineOverlay(LatencyChart *chart, EventLog *events, AuditMarkers audit,
                                 QObject *parent)
    : QObject(parent), m_chart(chart), m_events(events), m_audit(std::move(audit))
{
    connect(events, &EventLog::changed, this, &TimelineOverlay::refresh);
    connect(privacy::notifier(), &privacy::Notifier::changed, this, &TimelineOverlay::refresh);
    connect(chart, &LatencyChart::rangeSelected, this,
            [this](qint64 from, qint64 to) { NoteDialog::ask(m_chart, m_events, from, to); });
    refresh();
}

std::vector<ChartMarker> TimelineOverlay::markersFor(const std::vector<TimelineEvent> &events,
                                                     const std::bitset<16> &hidden)
{
    std::vector<ChartMarker> out;
    for (const auto &e : events) {
        if (hidden[std::size_t(e.kind)])
            continue;
        ChartMarker m;
        m.timeMs = e.timeMs;
        m.endMs = e.endMs;
        m.kind = int(e.kind);
        // Another user's change says what changed in words, as the audit
        // trail's markers do (its old → new is in the detail).
        const QString action = e.payload.value(QLatin1String("action")).toString();
        m.title = privacy::masked(e.kind == EventKind::OthersChange && !action.isEmpty()
                                      ? auditMarkerTitle(action, e.target)
                                      : e.summary);
        QStringList parts{
            QObject::tr("%1 by %2")
                .arg(kindLabel(e.kind), e.actor.isEmpty() ? QObject::tr("unknown") : e.actor)};
        if (e.isRange())
            parts << QObject::tr("%1 – %2").arg(formatClock(e.timeMs), formatClock(e.endMs));
        const QString old = e.payload.value(QLatin1String("old")).toString();
        const QString now = e.payload.value(QLatin1String("new")).toString();
        if (!old.isEmpty() || !now.isEmpty())
            parts << QStringLiteral("%1 → %2").arg(old, now);
        for (const char *key : {"reason", "text"}) {
            const QString v = e.payload.value(QLatin1String(key)).toString();
            if (!v.isEmpty() && v != e.summary)
                parts << (key[0] == 'r' ? QObject::tr("why: %1").arg(v) : v);
        }
        m.detail = privacy::masked(parts.join(QStringLiteral(" · ")));
        out.push_back(std::move(m));
    }
    return out;
}

void TimelineOverlay::refresh()
{
    std::vector<ChartMarker> markers = markersFor(m_events->events(), m_hidden);
    if (m_audit && !m_hidden[std::size_t(EventKind::OthersChange)]) {
        for (ChartMarker m : m_audit()) {
            if (covered(m, m_events->events()))
                continue;
            m.title = privacy::masked(m.title);
            m.detail = privacy::masked(m.detail);
            markers.push_back(std::move(m));
        }
    }
    m_chart->setMarkers(markers);
}

void TimelineOverlay::setKindShown(EventKind kind, bool shown)
{
    m_hidden[std::size_t(kind)] = !shown;
    refresh();
}

QToolButton *TimelineOverlay::makeKindsButton(QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setText(tr("Events"));
    button->setToolTip(tr("Which kinds of timeline events the chart shows; shift-drag on the "
                          "chart to add a note for a range"));
    button->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(button);
    for (int k = 0; k < int(EventKind::NB_KINDS); ++k) {
        QAction *a = menu->addAction(tr("%1 on the chart").arg(kindLabel(EventKind(k))));
        a->setObjectName(QStringLiteral("chart-kind-%1").arg(kindName(EventKind(k))));
        a->setCheckable(true);
        a->setChecked(isKindShown(EventKind(k)));
        connect(a, &QAction::toggled, this, [this, k](bool on) { setKindShown(EventKind(k), on); });
    }
    button->setMenu(menu);
    return button;
}

} // namespace sb
