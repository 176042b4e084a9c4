#include "ui/routing/drill_panel.h"

#include "core/clock.h"
#include "ui/common/format.h"
#include "ui/routing/routing_controller.h"

#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace sb {

DrillPanel::DrillPanel(RoutingController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller), m_model(new QComboBox(this)),
      m_kind(new QComboBox(this)), m_magnitude(new QDoubleSpinBox(this)),
      m_minutes(new QSpinBox(this)), m_start(new QPushButton(tr("Start drill"), this)),
      m_running(new QListWidget(this)), m_stop(new QPushButton(tr("Stop"), this))
{
    setObjectName(QStringLiteral("drillPanel"));
    auto *box = new QGroupBox(tr("Rehearse (sim drills)"), this);
    m_model->setObjectName(QStringLiteral("drillModel"));
    m_kind->setObjectName(QStringLiteral("drillKind"));
    m_kind->addItem(tr("Outage"), int(DrillKind::Outage));
    m_kind->addItem(tr("Latency spike"), int(DrillKind::LatencySpike));
    m_kind->addItem(tr("Error burst"), int(DrillKind::ErrorBurst));
    m_minutes->setRange(1, 120);
    m_minutes->setValue(5);
    m_minutes->setSuffix(tr(" min"));
    m_start->setObjectName(QStringLiteral("drillStart"));
    m_running->setObjectName(QStringLiteral("drillList"));
    m_running->setMaximumHeight(m_running->fontMetrics().height() * 3 + 8);
    m_stop->setObjectName(QStringLiteral("drillStop"));

    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Model:"), box));
    row->addWidget(m_model, 1);
    row->addWidget(m_kind);
    row->addWidget(m_magnitude);
    row->addWidget(new QLabel(tr("for"), box));
    row->addWidget(m_minutes);
    row->addWidget(m_start);
    auto *running = new QHBoxLayout;
    running->addWidget(m_running, 1);
    running->addWidget(m_stop, 0, Qt::AlignTop);
    auto *bl = new QVBoxLayout(box);
    bl->addLayout(row);
    bl->addLayout(running);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(box);

    connect(m_kind, &QComboBox::currentIndexChanged, this, &DrillPanel::updateMagnitude);
    connect(m_start, &QPushButton::clicked, this, [this] {
        if (m_model->currentText().isEmpty())
            return;
        m_controller->startDrill(m_model->currentText(), DrillKind(m_kind->currentData().toInt()),
                                 m_magnitude->value(),
                                 std::chrono::seconds(m_minutes->value() * 60));
    });
    connect(m_stop, &QPushButton::clicked, this, [this] {
        if (auto *item = m_running->currentItem())
            m_controller->stopDrill(item->data(Qt::UserRole).toString());
    });
    connect(m_running, &QListWidget::currentRowChanged, this,
            [this](int row) { m_stop->setEnabled(row >= 0); });
    connect(controller, &RoutingController::drillsChanged, this, &DrillPanel::refresh);
    connect(controller->model(), &QAbstractItemModel::modelReset, this, &DrillPanel::refresh);
    updateMagnitude();
    refresh();
}

void DrillPanel::updateMagnitude()
{
    // What the number means depends on the kind (DrillService's magnitude).
    switch (DrillKind(m_kind->currentData().toInt())) {
    case DrillKind::LatencySpike:
        m_magnitude->setRange(1.5, 50);
        m_magnitude->setSingleStep(0.5);
        m_magnitude->setValue(5);
        m_magnitude->setPrefix(QStringLiteral("× "));
        m_magnitude->setSuffix(QString());
        m_magnitude->setToolTip(tr("Latency and time to first token multiplied by this"));
        m_magnitude->setEnabled(true);
        break;
    case DrillKind::ErrorBurst:
        m_magnitude->setRange(0.05, 1);
        m_magnitude->setSingleStep(0.05);
        m_magnitude->setValue(0.5);
        m_magnitude->setPrefix(QString());
        m_magnitude->setSuffix(tr(" error rate"));
        m_magnitude->setToolTip(tr("Share of requests that fail"));
        m_magnitude->setEnabled(true);
        break;
    default:
        m_magnitude->setRange(1, 1);
        m_magnitude->setValue(1);
        m_magnitude->setPrefix(QString());
        m_magnitude->setSuffix(tr(" (all fail)"));
        m_magnitude->setToolTip(tr("Every request to the model fails fast"));
        m_magnitude->setEnabled(false);
    }
}

void DrillPanel::refresh()
{
    setVisible(m_controller->drillsAvailable());
    const QString current = m_model->currentText();
    QStringList models;
    for (const auto &m : m_controller->model()->table().models)
        models << m.name;
    if (models.size() != m_model->count()) {
        m_model->clear();
        m_model->addItems(models);
        const int i = m_model->findText(current.isEmpty() ? QStringLiteral("atlas-xl") : current);
        if (i >= 0)
            m_model->setCurrentIndex(i);
    }
    const QString selected = m_running->currentItem()
                                 ? m_running->currentItem()->data(Qt::UserRole).toString()
                                 : QString();
    m_running->clear();
    const qint64 now = clock::nowMs();
    for (const auto &d : m_controller->drills()) {
        auto *item =
            new QListWidgetItem(tr("%1 on %2 · ends in %3")
                                    .arg(toString(d.kind), d.model, formatDuration(d.endMs - now)),
                                m_running);
        item->setData(Qt::UserRole, d.id);
        if (d.id == selected || selected.isEmpty())
            m_running->setCurrentItem(item);
    }
    if (m_controller->drills().empty())
        new QListWidgetItem(tr("No drill running"), m_running);
    m_running->item(0)->setFlags(m_controller->drills().empty() ? Qt::NoItemFlags
                                                                : m_running->item(0)->flags());
    m_stop->setEnabled(m_running->currentItem() != nullptr && !m_controller->drills().empty());
}

} // namespace sb
