// MainWindow's REPLAY mark (--replay): an orange badge at the start of the
// connection bar with the replay speed and the recording's time now, so a
// replayed screen is never taken for a live one, and the same in the title.

#include "core/clock.h"
#include "ui/common/format.h"
#include "ui/main_window.h"

#include <QLabel>

namespace sb {

void MainWindow::setUpReplay()
{
    m_replayMark->setObjectName(QStringLiteral("replayMark"));
    m_replayMark->setStyleSheet(
        QStringLiteral("QLabel { background: #e65100; color: white; font-weight: bold; "
                       "padding: 2px 10px; border-radius: 3px; }"));
    m_replayMark->setToolTip(tr("Replaying a recording (--replay): no network, the clock is the "
                                "recording's, changes are not sent anywhere"));
    updateReplayMark();
}

void MainWindow::updateReplayMark()
{
    const bool on = clock::isReplay();
    m_replayMark->setVisible(on);
    if (!on)
        return;
    const QString speed = QStringLiteral("%1×").arg(clock::replaySpeed(), 0, 'g', 3);
    m_replayMark->setText(clock::replayAtEnd()
                              ? tr("REPLAY %1 · ended %2").arg(speed, formatClock(clock::nowMs()))
                              : tr("REPLAY %1 · %2").arg(speed, formatClock(clock::nowMs())));
}

} // namespace sb
