#pragma once

// GuardedChangeDialog: the one dialog every write goes through. It shows
// what changes (old → new, or a diff for text), what traffic will do, asks
// for a reason (required; it lands in the audit log), offers auto-revert
// where the contract has it (carried out by the service), and on a
// production connection asks for a deliberate second step: typing the
// target's name. After a conflict it shows the other person's change first,
// so the user decides again instead of overwriting it. Opened with open()
// (never a nested event loop); `accepted` means change() is ready to send.

#include "core/change.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QVBoxLayout;

namespace sb {

class GuardedChangeDialog : public QDialog
{
    Q_OBJECT
public:
    GuardedChangeDialog(const Change &change, const QString &impact, bool production,
                        QWidget *parent = nullptr);

    // Someone else changed the target first: what they did, shown on top.
    void setConflict(const QString &description, const QString &theirReason);
    // A model change that leaves these routes with no model: the user must
    // tick that they mean it (sets Change::allowRouteOutage).
    void setOutageRoutes(const QStringList &routes);
    // For text changes (prompts): the diff shown under old → new.
    void setDetails(const QString &text);
    // The same with a widget of the caller's (e.g. a side-by-side diff); the
    // dialog takes ownership and grows to give it room.
    void setDetailsWidget(QWidget *widget);

    Change change() const;

private:
    void updateApply();

    Change m_change;
    bool m_production;
    QLabel *m_conflict;
    QLineEdit *m_reason;
    QComboBox *m_revert;
    QSpinBox *m_customMinutes;
    QCheckBox *m_outage;
    QLineEdit *m_confirm;
    QPlainTextEdit *m_details;
    QPushButton *m_apply;
    QVBoxLayout *m_layout;
};

} // namespace sb
