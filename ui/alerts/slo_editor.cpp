#include "ui/alerts/slo_editor.h"

#include "ui/alerts/alerts_controller.h"
#include "ui/common/palette.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

namespace sb {

namespace {

struct Field
{
    double min, max;
    int decimals;
    const char *suffix;
    const char *tip;
};

Field fieldOf(SloEditor::Column c)
{
    switch (c) {
    case SloEditor::ErrorObjective:
        return {0, 99.999, 3, " %",
                "Share of requests that must succeed, e.g. 99.9 % (0: errors not watched)"};
    case SloEditor::P95:
        return {0, 600000, 0, " ms", "95 % of requests faster than this (0: no p95 objective)"};
    case SloEditor::P99:
        return {0, 600000, 0, " ms", "99 % of requests faster than this (0: no p99 objective)"};
    case SloEditor::PendingFor:
        return {0, 3600, 0, " s", "How long a burn must last before the alert fires"};
    case SloEditor::RecoverFor:
        return {0, 86400, 0, " s", "How long a burn must stay away before the alert is over"};
    default:
        return {0, 0, 0, "", ""};
    }
}

double valueOf(const RouteSlo &s, SloEditor::Column c)
{
    switch (c) {
    case SloEditor::ErrorObjective:
        return s.errorObjective * 100;
    case SloEditor::P95:
        return s.p95ThresholdMs;
    case SloEditor::P99:
        return s.p99ThresholdMs;
    case SloEditor::PendingFor:
        return s.policy.pendingForSec;
    case SloEditor::RecoverFor:
        return s.policy.recoverForSec;
    default:
        return 0;
    }
}

bool sameObjectives(const RouteSlo &a, const RouteSlo &b)
{
    return std::abs(a.errorObjective - b.errorObjective) < 1e-9 &&
           a.p95ThresholdMs == b.p95ThresholdMs && a.p99ThresholdMs == b.p99ThresholdMs &&
           a.policy.pendingForSec == b.policy.pendingForSec &&
           a.policy.recoverForSec == b.policy.recoverForSec;
}

} // namespace

SloEditor::SloEditor(const RouteSlo &defaults, const QHash<QString, RouteSlo> &slos,
                     const QStringList &routes, QWidget *parent)
    : QDialog(parent), m_table(new QTableWidget(0, NB_COLUMNS, this)), m_problem(new QLabel(this)),
      m_save(nullptr)
{
    setWindowTitle(tr("Service level objectives"));
    setObjectName(QStringLiteral("sloEditor"));
    auto *intro = new QLabel(
        tr("Alerts fire when a route burns its error budget too fast (over 1 h and 5 min, or "
           "6 h and 30 min). 0 switches an objective off; a route set like the default follows "
           "it."),
        this);
    intro->setWordWrap(true);
    m_table->setHorizontalHeaderLabels({tr("Route"), tr("Succeed at least"), tr("p95 under"),
                                        tr("p99 under"), tr("Pending for"), tr("Recover after")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(RouteColumn, QHeaderView::Stretch);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    QStringList sorted = routes;
    for (auto it = slos.begin(); it != slos.end(); ++it) {
        if (!sorted.contains(it.key()))
            sorted << it.key();
    }
    sorted.removeDuplicates();
    sorted.sort();
    addRow(tr("Default (every other route)"), defaults);
    for (const QString &r : sorted) {
        m_routes << r;
        addRow(r, slos.value(r, defaults));
    }
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setSectionResizeMode(RouteColumn, QHeaderView::Stretch);

    m_problem->setObjectName(QStringLiteral("sloProblem"));
    m_problem->setStyleSheet(QStringLiteral("color: %1").arg(palette::bad().name()));
    m_problem->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_save = buttons->button(QDialogButtonBox::Save);
    connect(buttons, &QDialogButtonBox::accepted, this, &SloEditor::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    resize(860, 160 + 34 * m_table->rowCount());
    validate();
}

void SloEditor::addRow(const QString &label, const RouteSlo &slo)
{
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    auto *name = new QTableWidgetItem(label);
    name->setFlags(Qt::ItemIsEnabled);
    if (row == 0) {
        QFont f = name->font();
        f.setBold(true);
        name->setFont(f);
    }
    m_table->setItem(row, RouteColumn, name);
    for (int c = ErrorObjective; c < NB_COLUMNS; ++c) {
        const Field f = fieldOf(Column(c));
        auto *box = new QDoubleSpinBox(m_table);
        box->setObjectName(QStringLiteral("slo:%1:%2").arg(row).arg(c));
        box->setRange(f.min, f.max);
        box->setDecimals(f.decimals);
        box->setSuffix(QString::fromUtf8(f.suffix));
        box->setToolTip(tr(f.tip));
        box->setSpecialValueText(tr("off"));
        box->setValue(valueOf(slo, Column(c)));
        box->setFrame(false);
        if (c == PendingFor || c == RecoverFor)
            box->setSpecialValueText(QString()); // 0 s is a real choice there
        if (row == 0) {
            m_defaultValues[c] = box->value();
            connect(box, &QDoubleSpinBox::valueChanged, this,
                    [this, c](double v) { followDefault(Column(c), v); });
        }
        connect(box, &QDoubleSpinBox::valueChanged, this, &SloEditor::validate);
        m_table->setCellWidget(row, c, box);
    }
}

void SloEditor::followDefault(Column column, double value)
{
    // A route's value that was the default's moves with it: it was following.
    const double old = m_defaultValues[column];
    m_defaultValues[column] = value;
    for (int row = 1; row < m_table->rowCount(); ++row) {
        QDoubleSpinBox *box = editor(row, column);
        if (box && std::abs(box->value() - old) < 1e-9)
            box->setValue(value);
    }
}

QDoubleSpinBox *SloEditor::editor(int row, Column column) const
{
    if (row < 0 || row >= m_table->rowCount() || column <= RouteColumn || column >= NB_COLUMNS)
        return nullptr;
    return qobject_cast<QDoubleSpinBox *>(m_table->cellWidget(row, column));
}

int SloEditor::rowOf(const QString &route) const
{
    const int i = int(m_routes.indexOf(route));
    return i < 0 ? -1 : i + 1;
}

RouteSlo SloEditor::sloAt(int row) const
{
    RouteSlo s = AlertsController::defaultSlo();
    s.errorObjective = editor(row, ErrorObjective)->value() / 100;
    s.p95ThresholdMs = editor(row, P95)->value();
    s.p99ThresholdMs = editor(row, P99)->value();
    s.policy.pendingForSec = int(editor(row, PendingFor)->value());
    s.policy.recoverForSec = int(editor(row, RecoverFor)->value());
    return s;
}

QHash<QString, RouteSlo> SloEditor::routeSlos() const
{
    QHash<QString, RouteSlo> out;
    const RouteSlo d = defaults();
    for (int i = 0; i < int(m_routes.size()); ++i) {
        const RouteSlo s = sloAt(i + 1);
        if (!sameObjectives(s, d))
            out.insert(m_routes[i], s);
    }
    return out;
}

QString SloEditor::problem() const
{
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QString who = row == 0 ? tr("The default") : m_routes[row - 1];
        const RouteSlo s = sloAt(row);
        if (s.errorObjective > 0 && s.errorObjective < 0.5)
            return tr("%1: an error-rate objective under 50 % leaves no SLO worth the name; "
                      "use 0 to switch it off.")
                .arg(who);
        if (s.p95ThresholdMs > 0 && s.p99ThresholdMs > 0 && s.p99ThresholdMs < s.p95ThresholdMs)
            return tr("%1: the p99 threshold (%2 ms) is under the p95 one (%3 ms); p99 is the "
                      "slower tail.")
                .arg(who)
                .arg(s.p99ThresholdMs)
                .arg(s.p95ThresholdMs);
        if (s.errorObjective == 0 && s.p95ThresholdMs == 0 && s.p99ThresholdMs == 0 && row == 0)
            return tr("The default watches nothing: set at least one objective.");
    }
    return {};
}

void SloEditor::validate()
{
    const QString why = problem();
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty());
    if (m_save)
        m_save->setEnabled(why.isEmpty());
}

void SloEditor::save()
{
    if (!problem().isEmpty())
        return;
    emit saved(defaults(), routeSlos());
    accept();
}

void SloEditor::edit(const QStringList &routes, QWidget *parent)
{
    RouteSlo defaults;
    QHash<QString, RouteSlo> slos;
    AlertsController::currentSlos(&defaults, &slos);
    auto *dialog = new SloEditor(defaults, slos, routes, parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SloEditor::saved, dialog, &AlertsController::applyEverywhere);
    dialog->open();
}

} // namespace sb
