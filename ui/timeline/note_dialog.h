#pragma once

// NoteDialog: a note on the incident timeline (Ctrl+M anywhere, or a
// shift-drag on a chart for a range): the text, and optionally when it ends,
// so it is drawn as a band. Opens window-modal without blocking (open(), not
// exec()), and adds the note to the EventLog when accepted.

#include <QDialog>

class QCheckBox;
class QDateTimeEdit;
class QPlainTextEdit;

namespace sb {

class EventLog;

class NoteDialog : public QDialog
{
    Q_OBJECT
public:
    // toMs > fromMs: a range, with the end ticked.
    NoteDialog(EventLog *events, qint64 fromMs, qint64 toMs, QWidget *parent);
    // Opens one (deleted on close) and returns it.
    static NoteDialog *ask(QWidget *parent, EventLog *events, qint64 fromMs, qint64 toMs = 0);

    QPlainTextEdit *textEdit() const { return m_text; }
    QCheckBox *endBox() const { return m_hasEnd; }
    QDateTimeEdit *endEdit() const { return m_end; }
    void accept() override;

private:
    EventLog *m_events;
    qint64 m_fromMs;
    QPlainTextEdit *m_text;
    QCheckBox *m_hasEnd;
    QDateTimeEdit *m_end;
};

} // namespace sb
