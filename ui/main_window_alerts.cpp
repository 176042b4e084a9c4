// MainWindow's SLO alerts: a red badge in the connection bar, on every page,
// while an alert fires or recovers (click: the notifications), and one
// desktop notification per alert, updated in place and withdrawn when it is
// over. Quiet on the desktop while presenting; the badge still shows. Its
// menu (and the palette) opens the SLO editor.

#include "client/latency_stream.h"
#include "ui/alerts/alerts_controller.h"
#include "ui/alerts/desktop_notifier.h"
#include "ui/alerts/slo_editor.h"
#include "ui/common/presenter.h"
#include "ui/console.h"
#include "ui/latency/latency_controller.h"
#include "ui/main_window.h"
#include "ui/routing/routing_controller.h"
#include "ui/routing/routing_model.h"
#include "ui/session.h"

#include <QMenu>
#include <QToolButton>

namespace sb {

void MainWindow::setUpAlerts()
{
    m_alertBadge = new QToolButton(this);
    m_alertBadge->setObjectName(QStringLiteral("alertBadge"));
    m_alertBadge->setStyleSheet(
        QStringLiteral("QToolButton { background: #b3261e; color: white; font-weight: bold; "
                       "border-radius: 4px; padding: 2px 8px; }"));
    m_alertBadge->hide();
    connect(m_alertBadge, &QToolButton::clicked, m_bell, [this] { m_bell->setChecked(true); });
    auto *menu = new QMenu(m_alertBadge);
    menu->addAction(tr("Show notifications"), this, [this] { m_bell->setChecked(true); });
    menu->addAction(tr("Edit service level objectives…"), this, &MainWindow::editSlos);
    m_alertBadge->setMenu(menu);
    m_alertBadge->setPopupMode(QToolButton::MenuButtonPopup);

    m_notifier = new DesktopNotifier(this);
    connect(m_notifier, &DesktopNotifier::inApp, this,
            [this](const QString &summary, const QString &body, bool) {
                showStatus(summary + QStringLiteral(" — ") + body, 15000);
            });
    connect(m_console->alerts(), &AlertsController::alertChanged, this, [this](const SloAlert &a) {
        updateAlertBadge();
        m_notifier->setQuiet(presenter::isOn());
        const QString key = a.route + QLatin1Char('/') + toString(a.kind);
        const QString where = m_console->session()->profileName();
        const QString what = tr("%1 %2").arg(a.route, toString(a.kind));
        const QString summary = where.isEmpty() ? what : tr("%1 · %2").arg(where, what);
        switch (a.reading.state) {
        case AlertState::Firing:
            m_notifier->notify(key, tr("SLO alert: %1").arg(summary), presentable(a.text), true);
            break;
        case AlertState::Recovering:
            m_notifier->notify(key, tr("Recovering: %1").arg(summary), presentable(a.text), false);
            break;
        case AlertState::Normal:
        case AlertState::NoData:
            m_notifier->withdraw(key);
            break;
        case AlertState::Pending:
            break;
        }
    });
}

void MainWindow::editSlos()
{
    // Every route this window knows of: the routing table's and the stream's.
    QStringList routes = m_console->latency()->stream()->routes();
    for (const auto &r : m_console->routing()->model()->table().routes)
        routes << r.name;
    routes.removeDuplicates();
    SloEditor::edit(routes, this);
}

void MainWindow::updateAlertBadge()
{
    QStringList lines;
    int firing = 0;
    for (const SloAlert &a : m_console->alerts()->current()) {
        if (a.reading.state != AlertState::Firing && a.reading.state != AlertState::Recovering)
            continue;
        firing += a.reading.state == AlertState::Firing ? 1 : 0;
        lines << presentable(a.text);
    }
    m_alertBadge->setVisible(!lines.isEmpty());
    if (lines.isEmpty())
        return;
    m_alertBadge->setText(firing > 1    ? tr("⚠ %1 SLO alerts firing").arg(firing)
                          : firing == 1 ? tr("⚠ SLO alert firing")
                                        : tr("SLO alert recovering"));
    m_alertBadge->setToolTip(lines.join(QLatin1Char('\n')));
}

} // namespace sb
