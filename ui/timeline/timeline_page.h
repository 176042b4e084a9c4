#pragma once

// Timeline page (Ctrl+6): the incident timeline, newest first: this
// console's changes, others' changes, circuits, drills, disconnects, alerts
// and notes, read from the EventLog (and so from the cache, offline too).
// One toggle per kind, a target filter and a time range; the selected
// event's details and payload below. Add note (Ctrl+M works anywhere),
// Export incident for the shown range (a post-mortem draft in Markdown with
// chart PNGs and a JSON bundle) and Import incident (the bundle, from
// another machine; its events are marked with where they came from).

#include "ui/common/page.h"

#include <QPointer>

class QAction;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableView;
class QToolButton;

namespace sb {

class Console;
class EventLog;
class IncidentExport;
class TimelineModel;

class TimelinePage : public Page
{
    Q_OBJECT
public:
    TimelinePage(Console *console, QWidget *parent = nullptr);

    TimelineModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QPlainTextEdit *details() const { return m_details; }
    QLineEdit *targetFilter() const { return m_target; }
    QToolButton *kindButton(int kind) const { return m_kindButtons.value(kind); }
    QComboBox *rangeBox() const { return m_range; }
    QLabel *status() const { return m_status; }
    // The range Export incident writes: the shown range, or (All) the
    // shown events' span with a minute either side.
    std::pair<qint64, qint64> exportRange() const;
    // Without dialogs (tests): export into dir as base.*, import a bundle file.
    void exportTo(const QString &dir, const QString &base);
    void importFrom(const QString &path);
    void addCommands(std::vector<CommandEntry> &out) override;

signals:
    void exported(bool ok, const QString &markdownPath, const QString &error);
    void imported(bool ok, int count, const QString &error);

private:
    void applyFilter();
    void showDetails();
    void chooseExport();
    void chooseImport();

    Console *m_console;
    EventLog *m_events;
    TimelineModel *m_model;
    QTableView *m_table;
    QPlainTextEdit *m_details;
    QLineEdit *m_target;
    QComboBox *m_range;
    QDateTimeEdit *m_from;
    QDateTimeEdit *m_to;
    QLabel *m_status;
    QHash<int, QToolButton *> m_kindButtons;
    QPointer<IncidentExport> m_export;
};

} // namespace sb
