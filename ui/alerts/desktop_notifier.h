#pragma once

// DesktopNotifier: one desktop notification per key (an alert), updated in
// place rather than piling up. It speaks the freedesktop Notifications
// protocol over D-Bus (org.freedesktop.Notifications.Notify with the
// previous id as replaces_id, CloseNotification to withdraw); where no
// notification service answers it falls back to the system tray's balloon,
// and where there is no tray either, to `inApp` (the window shows a banner).
// Every D-Bus call is asynchronous: nothing waits on the bus. Quiet (while
// presenting) sends nothing anywhere; the window's own alert list still shows.

#include <QHash>
#include <QObject>
#include <QString>

class QSystemTrayIcon;

namespace sb {

class DesktopNotifier : public QObject
{
    Q_OBJECT
public:
    enum class Channel
    {
        Desktop, // a freedesktop notification service
        Tray,    // QSystemTrayIcon's message
        InApp    // nothing outside the window
    };

    explicit DesktopNotifier(QObject *parent = nullptr);

    // Shows or updates the notification for `key`.
    void notify(const QString &key, const QString &summary, const QString &body, bool urgent);
    // Takes the notification for `key` down (the alert is over).
    void withdraw(const QString &key);

    void setQuiet(bool quiet) { m_quiet = quiet; }
    bool isQuiet() const { return m_quiet; }
    Channel channel() const { return m_channel; }

signals:
    void inApp(const QString &summary, const QString &body, bool urgent);
    void channelChanged(sb::DesktopNotifier::Channel channel);

private:
    void fallBack(const QString &summary, const QString &body, bool urgent);

    Channel m_channel = Channel::Desktop; // until the service fails to answer
    bool m_quiet = false;
    QHash<QString, uint> m_ids; // key -> the service's notification id
    QSystemTrayIcon *m_tray = nullptr;
};

} // namespace sb
