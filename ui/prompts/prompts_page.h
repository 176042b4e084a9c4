#pragma once

// Prompts page: every prompt with its labels, the selected prompt's version
// history, and the selected version's template and parameters.

#include "ui/common/page.h"

class QTableView;
class QSortFilterProxyModel;
class QPlainTextEdit;
class QLabel;
class QLineEdit;

namespace sb {

class Session;
class PromptsController;
class StaleBanner;

class PromptsPage : public Page
{
    Q_OBJECT
public:
    PromptsPage(Session *session, PromptsController *controller, QWidget *parent = nullptr);
    void updateFreshness() override;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void showVersion(int row);
    void applySearch(const QString &text);
    void updateSearchCount();

    Session *m_session;
    PromptsController *m_controller;
    QSortFilterProxyModel *m_promptProxy = nullptr;
    QSortFilterProxyModel *m_versionProxy = nullptr;
    StaleBanner *m_banner;
    QTableView *m_prompts;
    QTableView *m_versions;
    QLabel *m_versionHeader;
    QPlainTextEdit *m_template;
    QLineEdit *m_search;
    QLabel *m_searchCount;
};

} // namespace sb
