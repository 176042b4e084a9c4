#pragma once

// ArenaView: the arena tab. An input and the variables the variants' prompts
// declare; Run (Ctrl+Enter) fans it out to the variants and their answers
// stream side by side, each column with its time to first token, elapsed
// time, tokens and cost as they happen; Cancel (Esc) stops midway. Blind
// mode shuffles the columns and labels them A/B/C/D until the vote. Vote
// "best" under a column (Alt+1..4), Tie or All bad, and flag hallucinations
// per column; earlier runs are listed below (from the cache, offline too) to
// show again or run again.
//
// Text is appended only when the controller's coalesced update says there
// is some (at most ~30 times a second), and then one column per event, so
// each column's append and repaint is its own short slice of the GUI thread
// rather than all four in one long one. The view records how long a token
// waited between arriving and being painted (for the arena benchmark).

#include <QWidget>
#include <vector>

class QCheckBox;
class QFormLayout;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QTimer;

namespace sb {

class Session;
class ArenaController;

class ArenaView : public QWidget
{
    Q_OBJECT
public:
    ArenaView(Session *session, ArenaController *controller, QWidget *parent = nullptr);

    QPlainTextEdit *input() const { return m_input; }
    QCheckBox *blind() const { return m_blind; }
    QPushButton *runButton() const { return m_run; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *tieButton() const { return m_tie; }
    QPushButton *allBadButton() const { return m_allBad; }
    QLabel *status() const { return m_status; }
    QTableView *historyTable() const { return m_historyTable; }
    int columnCount() const { return int(m_columns.size()); }
    QLabel *columnTitle(int c) const;
    QLabel *columnFigures(int c) const;
    QPlainTextEdit *columnText(int c) const;
    QPushButton *bestButton(int c) const;
    QCheckBox *flag(int c) const;
    QLineEdit *variable(const QString &name) const;

    void runNow();
    // Arrival-to-paint delays seen so far (µs), for the benchmark.
    const std::vector<qint64> &paintDelaysUs() const { return m_paintDelaysUs; }
    void clearPaintDelays() { m_paintDelaysUs.clear(); }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Column
    {
        QWidget *frame = nullptr;
        QLabel *title = nullptr;
        QLabel *figures = nullptr;
        QPlainTextEdit *text = nullptr;
        QPushButton *best = nullptr;
        QCheckBox *flag = nullptr;
        bool failed = false;
        qint64 pendingArrivalUs = 0; // oldest token appended but not yet painted
    };
    void rebuildColumns();
    void rebuildVariables();
    void appendNew();
    void appendColumn(int column);
    void updateFigures();
    void updateFigure(int column);
    void updateActions();
    void vote(int bestColumn, int kind);

    Session *m_session;
    ArenaController *m_controller;
    QPlainTextEdit *m_input;
    QWidget *m_variablesBox;
    QFormLayout *m_variables;
    std::vector<std::pair<QString, QLineEdit *>> m_variableEdits;
    QCheckBox *m_blind;
    QPushButton *m_run;
    QPushButton *m_cancel;
    QLabel *m_status;
    QHBoxLayout *m_columnsLayout;
    std::vector<Column> m_columns;
    QWidget *m_placeholder = nullptr;
    QPushButton *m_tie;
    QPushButton *m_allBad;
    QLabel *m_voteHint;
    QTableView *m_historyTable;
    QPushButton *m_show;
    QPushButton *m_again;
    QTimer *m_tick;
    QTimer *m_stagger;
    int m_nextColumn = 0;
    std::vector<qint64> m_paintDelaysUs;
};

} // namespace sb
