#pragma once

// Experiments page: every experiment with its state and traffic split, and
// the selected experiment's variants.

#include <QWidget>

class QTableView;
class QLabel;
class QTreeView;

namespace sb {

class Session;
class StaleBanner;

class ExperimentsPage : public QWidget
{
    Q_OBJECT
public:
    explicit ExperimentsPage(Session *session, QWidget *parent = nullptr);
    void updateFreshness();

private:
    void showDetails(int row);

    Session *m_session;
    StaleBanner *m_banner;
    QTableView *m_table;
    QLabel *m_details;
};

class RoutingPage : public QWidget
{
    Q_OBJECT
public:
    explicit RoutingPage(Session *session, QWidget *parent = nullptr);
    void updateFreshness();

private:
    Session *m_session;
    StaleBanner *m_banner;
    QTreeView *m_tree;
};

} // namespace sb
