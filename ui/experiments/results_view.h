#pragma once

// ResultsView: the results tab, made to be read from across a room. On top,
// the decision in plain words (who wins and why, or why it cannot be said
// yet and how much more data that needs), coloured by what it means; the
// split check right under it, loud when it fails; then the minimum effect
// that the "needs about N more" figure is for, the per-variant table, this
// console's arena votes ranked (Bradley-Terry), the charts, and the methods.

#include <QWidget>

class QLabel;
class QDoubleSpinBox;
class QTableView;
class QFrame;
class QToolButton;

namespace sb {

class Session;
class ResultsController;
class ResultsCharts;

class ResultsView : public QWidget
{
    Q_OBJECT
public:
    ResultsView(Session *session, ResultsController *controller, QWidget *parent = nullptr);

    QLabel *headline() const { return m_headline; }
    QLabel *reason() const { return m_reason; }
    QLabel *splitCheck() const { return m_split; }
    QTableView *table() const { return m_table; }           // figures per variant
    QTableView *comparison() const { return m_comparison; } // against control
    ResultsCharts *charts() const { return m_charts; }
    void updateFreshness();

private:
    void refresh();
    void refreshRanking();
    void refreshEffect();
    void fitTables();

    Session *m_session;
    ResultsController *m_controller;
    QFrame *m_decision;
    QLabel *m_headline;
    QLabel *m_reason;
    QLabel *m_split;
    QLabel *m_live;
    QLabel *m_effectLabel;
    QDoubleSpinBox *m_effect;
    QTableView *m_table;
    QLabel *m_comparisonTitle;
    QTableView *m_comparison;
    QLabel *m_ranking;
    ResultsCharts *m_charts;
    QToolButton *m_methodsToggle;
    QLabel *m_methods;
};

} // namespace sb
