#pragma once

// SloEditor: the dialog that edits the SLOs the alerts watch (from the alert
// badge's menu, or "Edit service level objectives" in the palette). One row
// for the default and one per route: the error-rate objective, p95 and p99
// thresholds, and how long a burn must last before it fires (pending) and
// stay away before it is over (recover). A value of 0 switches that
// objective off. A route row equal to the default keeps following the
// default, and a route's value equal to the default's moves with it. Invalid
// input (an objective under 50 %, a p99 under the p95) is named under the
// table and Save waits for it. Save applies the SLOs live to
// every window's AlertsController and writes the same QSettings keys they
// read (alerts/default/*, alerts/route/<r>/*), off the GUI thread.

#include "core/slo_monitor.h"

#include <QDialog>
#include <QHash>
#include <QStringList>

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace sb {

class SloEditor : public QDialog
{
    Q_OBJECT
public:
    enum Column
    {
        RouteColumn,
        ErrorObjective,
        P95,
        P99,
        PendingFor,
        RecoverFor,
        NB_COLUMNS
    };

    // routes: those to list (with their SLO as set now); the default row first.
    SloEditor(const RouteSlo &defaults, const QHash<QString, RouteSlo> &slos,
              const QStringList &routes, QWidget *parent = nullptr);

    // The editor of one cell; row 0 is the default. Null if out of range.
    QDoubleSpinBox *editor(int row, Column column) const;
    int rowOf(const QString &route) const; // -1 if not listed
    // Why the values cannot be saved ("" when they can).
    QString problem() const;
    QPushButton *saveButton() const { return m_save; }

    RouteSlo defaults() const { return sloAt(0); }
    // Only the routes whose SLO differs from the default.
    QHash<QString, RouteSlo> routeSlos() const;

    // Opens the editor over the current SLOs; Save applies and persists them.
    static void edit(const QStringList &routes, QWidget *parent);

signals:
    void saved(const sb::RouteSlo &defaults, const QHash<QString, sb::RouteSlo> &routes);

private:
    void addRow(const QString &label, const RouteSlo &slo);
    RouteSlo sloAt(int row) const;
    void validate();
    void followDefault(Column column, double value);
    void save();

    QTableWidget *m_table;
    QLabel *m_problem;
    QPushButton *m_save;
    QStringList m_routes; // row i + 1
    double m_defaultValues[NB_COLUMNS] = {};
};

} // namespace sb
