#pragma once

// Experiments page: every experiment with its state and traffic split, and
// the selected experiment's variants.

#include "ui/common/page.h"

class QTableView;
class QLabel;
class QSortFilterProxyModel;

namespace sb {

class Session;
class ExperimentsController;
class StaleBanner;

class ExperimentsPage : public Page
{
    Q_OBJECT
public:
    ExperimentsPage(Session *session, ExperimentsController *controller, QWidget *parent = nullptr);
    void updateFreshness() override;

private:
    void showDetails(int row);

    Session *m_session;
    ExperimentsController *m_controller;
    StaleBanner *m_banner;
    QTableView *m_table;
    QSortFilterProxyModel *m_proxy;
    QLabel *m_details;
};

} // namespace sb
