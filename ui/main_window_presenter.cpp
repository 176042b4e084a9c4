// MainWindow's presenter mode: the toggle (Ctrl+Shift+F5, the palette's
// "Present"), the PRESENTING banner in the connection bar, a sidebar that
// grows with the type, and everything the window shows re-masked when the
// mode changes.

#include "ui/common/page.h"
#include "ui/common/presenter.h"
#include "ui/common/privacy.h"
#include "ui/main_window.h"

#include <QAbstractItemView>
#include <QAction>
#include <QLabel>
#include <QListWidget>
#include <QStatusBar>

namespace sb {

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
}

void MainWindow::applyPresentation()
{
    const bool on = presenter::isOn();
    const double scale = presenter::scale();
    m_presentAction->setChecked(on);
    m_presentAction->setText(on ? tr("Stop presenting") : tr("Present"));
    m_presenting->setVisible(on);
    // The sidebar's type is its own (a style sheet): it grows with the rest.
    m_nav->setFixedWidth(qRound(170 * scale));
    m_nav->setIconSize(QSize(qRound(20 * scale), qRound(20 * scale)));
    m_nav->setStyleSheet(QStringLiteral("QListWidget { font-size: %1pt; } QListWidget::item { "
                                        "padding: %2px; }")
                             .arg(11 * scale, 0, 'f', 1)
                             .arg(qRound(8 * scale)));
    updateConnectionBar();
    for (auto *p : m_pages)
        p->updateFreshness();
    if (!statusBar()->currentMessage().isEmpty())
        statusBar()->showMessage(privacy::masked(m_statusText));
    // Item views ask their models again (the models mask what they return).
    for (auto *view : findChildren<QAbstractItemView *>())
        view->viewport()->update();
}

void MainWindow::showStatus(const QString &text, int timeoutMs)
{
    m_statusText = text;
    statusBar()->showMessage(privacy::masked(text), timeoutMs);
}

} // namespace sb
