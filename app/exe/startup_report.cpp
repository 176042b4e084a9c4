#include "startup_report.h"

#include "ui/latency/latency_controller.h"
#include "ui/latency/latency_page.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QEvent>
#include <QPointer>
#include <QWidget>
#include <cstdio>

namespace sb {

namespace {

// Watches every paint of the window's widgets (the chart paints inside it).
class StartupWatch : public QObject
{
public:
    explicit StartupWatch(MainWindow *window) : QObject(window), m_window(window)
    {
        LatencyController *controller = window->latencyPage()->controller();
        connect(controller, &LatencyController::seriesUpdated, this,
                [this, controller](const SeriesUpdate &update) {
                    if (!update.seconds.empty() && controller->isLive())
                        m_liveArrived = true;
                });
        qApp->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::Paint || !watched->isWidgetType() || !m_window ||
            static_cast<QWidget *>(watched)->window() != m_window)
            return false;
        if (!m_painted) {
            m_painted = true;
            say("painted");
        } else if (m_liveArrived && !m_liveShown) {
            m_liveShown = true;
            say("live");
            qApp->removeEventFilter(this);
        }
        return false;
    }

private:
    static void say(const char *what)
    {
        std::printf("switchboard: startup %s\n", what);
        std::fflush(stdout);
    }

    QPointer<MainWindow> m_window;
    bool m_painted = false;
    bool m_liveArrived = false;
    bool m_liveShown = false;
};

} // namespace

void reportStartup(MainWindow *window)
{
    new StartupWatch(window);
}

} // namespace sb
