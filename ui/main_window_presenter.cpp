// MainWindow's presenter mode: the toggle (Ctrl+Shift+F5, the palette's
// "Present"), the PRESENTING banner in the connection bar, a sidebar that
// grows with the type, and everything the window shows re-masked when the
// mode changes.

#include "ui/common/page.h"
#include "ui/common/presenter.h"
#include "ui/common/privacy.h"
#include "ui/console.h"
#include "ui/main_window.h"
#include "ui/session.h"

#include <QAbstractItemView>
#include <QAction>
#include <QLabel>
#include <QListWidget>
#include <QScreen>
#include <QStatusBar>
#include <QTimer>

namespace sb {

namespace {
// "Connected to sim" rather than "Connected to •••": the profile's name
// stands for this window's endpoint.
QString presentableIn(const Session *s, QString text)
{
    if (privacy::enabled() && !s->profileName().isEmpty() && !s->endpointLabel().isEmpty())
        text.replace(s->endpointLabel(), privacy::masked(s->profileName()));
    return privacy::masked(text);
}
} // namespace

QString MainWindow::presentable(const QString &text) const
{
    return presentableIn(m_console->session(), text);
}

void MainWindow::setUpPresentation()
{
    m_presentAction = new QAction(tr("Present"), this);
    m_presentAction->setObjectName(QStringLiteral("presentAction"));
    m_presentAction->setCheckable(true);
    m_presentAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F5));
    m_presentAction->setShortcutContext(Qt::WindowShortcut);
    m_presentAction->setToolTip(
        tr("Presenter mode: large type; host names, tokens and request ids hidden"));
    addAction(m_presentAction);
    connect(m_presentAction, &QAction::triggered, this, [](bool on) { presenter::setOn(on); });

    m_presenting->setObjectName(QStringLiteral("presentingBanner"));
    m_presenting->setText(tr("PRESENTING"));
    m_presenting->setToolTip(
        tr("Presenter mode: host names, endpoints, tokens and request ids are hidden "
           "(Ctrl+Shift+F5 to stop)"));
    m_presenting->setStyleSheet(
        QStringLiteral("QLabel { background: #6a1b9a; color: white; font-weight: bold; "
                       "padding: 2px 10px; border-radius: 3px; }"));
    connect(privacy::notifier(), &privacy::Notifier::changed, this, &MainWindow::applyPresentation);
    applyPresentation();
    // Opened while presenting (--presentation): take the screen once shown.
    if (presenter::isOn())
        QTimer::singleShot(0, this, &MainWindow::applyPresentation);
}

void MainWindow::applyPresentation()
{
    const bool on = presenter::isOn();
    const double scale = presenter::scale();
    m_presentAction->setChecked(on);
    m_presentAction->setText(on ? tr("Stop presenting") : tr("Present"));
    m_presenting->setVisible(on);
    // Large type needs the room: the window takes the screen while
    // presenting (grows only, never shrinks) and goes back after.
    if (on && m_geometryBeforePresenting.isEmpty() && isVisible() && screen()) {
        const QRect room = screen()->availableGeometry();
        if (room.width() > width() && room.height() > height()) {
            m_geometryBeforePresenting = saveGeometry();
            setGeometry(room);
            showMaximized();
        }
    } else if (!on && !m_geometryBeforePresenting.isEmpty()) {
        showNormal();
        restoreGeometry(m_geometryBeforePresenting);
        m_geometryBeforePresenting.clear();
    }
    // Round trip and samples/s are for engineers, not an audience: hidden
    // while presenting, which also leaves the bar room for large type.
    m_rtt->setVisible(!on);
    m_rate->setVisible(!on);
    // The sidebar's type is its own (a style sheet): it grows with the rest,
    // a little less on a narrow screen (a 1280-wide projector).
    const bool narrow = screen() && screen()->availableGeometry().width() < 1600;
    m_nav->setFixedWidth(qRound((on && narrow ? 125 : 170) * scale));
    m_nav->setIconSize(QSize(qRound(20 * scale), qRound(20 * scale)));
    m_nav->setStyleSheet(QStringLiteral("QListWidget { font-size: %1pt; } QListWidget::item { "
                                        "padding: %2px; }")
                             .arg(11 * scale, 0, 'f', 1)
                             .arg(qRound(8 * scale)));
    updateConnectionBar();
    for (auto *p : m_pages)
        p->updateFreshness();
    if (!statusBar()->currentMessage().isEmpty())
        statusBar()->showMessage(presentable(m_statusText));
    // Item views ask their models again (the models mask what they return).
    for (auto *view : findChildren<QAbstractItemView *>())
        view->viewport()->update();
}

void MainWindow::showStatus(const QString &text, int timeoutMs)
{
    m_statusText = text;
    statusBar()->showMessage(presentable(text), timeoutMs);
}

} // namespace sb
