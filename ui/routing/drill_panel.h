#pragma once

// DrillPanel: rehearse on the sim. Start an outage, a latency spike or an
// error burst on a model for a while, see the drills running and stop them,
// so on-call can practise the whole flow (trouble turns loud, a fallback
// takes over, a toggle fixes it) and a demo can show a fallback saving the
// day. Hidden when the service has no DrillService (a real one).

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace sb {

class RoutingController;

class DrillPanel : public QWidget
{
    Q_OBJECT
public:
    explicit DrillPanel(RoutingController *controller, QWidget *parent = nullptr);

private:
    void refresh();
    void updateMagnitude();

    RoutingController *m_controller;
    QComboBox *m_model;
    QComboBox *m_kind;
    QDoubleSpinBox *m_magnitude;
    QSpinBox *m_minutes;
    QPushButton *m_start;
    QListWidget *m_running;
    QPushButton *m_stop;
};

} // namespace sb
