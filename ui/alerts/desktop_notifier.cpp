#include "ui/alerts/desktop_notifier.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QGuiApplication>
#include <QIcon>
#include <QSystemTrayIcon>
#include <QVariantMap>

namespace sb {

namespace {
const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
} // namespace

DesktopNotifier::DesktopNotifier(QObject *parent) : QObject(parent) {}

void DesktopNotifier::notify(const QString &key, const QString &summary, const QString &body,
                             bool urgent)
{
    if (m_quiet)
        return;
    // The session bus is looked at only when there is something to say
    // (Qt connects it on its own thread; a window that never alerts never asks).
    if (m_channel == Channel::Desktop && !QDBusConnection::sessionBus().isConnected()) {
        m_channel = QSystemTrayIcon::isSystemTrayAvailable() ? Channel::Tray : Channel::InApp;
        emit channelChanged(m_channel);
    }
    if (m_channel != Channel::Desktop) {
        fallBack(summary, body, urgent);
        return;
    }
    QDBusMessage call =
        QDBusMessage::createMethodCall(kService, kPath, kService, QStringLiteral("Notify"));
    QVariantMap hints;
    hints.insert(QStringLiteral("urgency"), QVariant::fromValue(uchar(urgent ? 2 : 1)));
    hints.insert(QStringLiteral("desktop-entry"), QGuiApplication::desktopFileName());
    call << QGuiApplication::applicationDisplayName() << m_ids.value(key, 0u)
         << QStringLiteral("dev.switchboard.Console") << summary << body << QStringList() << hints
         << int(urgent ? 0 : 10000); // urgent ones stay until dismissed
    auto *watcher =
        new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call, 5000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, key, summary, body, urgent](QDBusPendingCallWatcher *w) {
                w->deleteLater();
                QDBusPendingReply<uint> reply = *w;
                if (reply.isError()) {
                    // No notification service (or it failed): the next
                    // channel, for this alert and the ones after it.
                    m_ids.clear();
                    m_channel =
                        QSystemTrayIcon::isSystemTrayAvailable() ? Channel::Tray : Channel::InApp;
                    emit channelChanged(m_channel);
                    fallBack(summary, body, urgent);
                    return;
                }
                m_ids.insert(key, reply.value());
            });
}

void DesktopNotifier::withdraw(const QString &key)
{
    const uint id = m_ids.take(key);
    if (id == 0 || m_channel != Channel::Desktop)
        return;
    QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kService,
                                                       QStringLiteral("CloseNotification"));
    call << id;
    QDBusConnection::sessionBus().asyncCall(call, 5000); // nothing to do with the answer
}

void DesktopNotifier::fallBack(const QString &summary, const QString &body, bool urgent)
{
    if (m_channel == Channel::Tray) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(
                QIcon::fromTheme(QStringLiteral("dev.switchboard.Console")), this);
            m_tray->show();
        }
        m_tray->showMessage(summary, body,
                            urgent ? QSystemTrayIcon::Critical : QSystemTrayIcon::Information);
        return;
    }
    emit inApp(summary, body, urgent);
}

} // namespace sb
