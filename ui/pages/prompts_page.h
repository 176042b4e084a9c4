#pragma once

// Prompts page: every prompt with its labels, the selected prompt's version
// history, and the selected version's template and parameters.

#include <QWidget>

class QTableView;
class QPlainTextEdit;
class QLabel;

namespace sb {

class Session;
class StaleBanner;

class PromptsPage : public QWidget
{
    Q_OBJECT
public:
    explicit PromptsPage(Session *session, QWidget *parent = nullptr);
    void updateFreshness();

private:
    void showVersion(int row);

    Session *m_session;
    StaleBanner *m_banner;
    QTableView *m_prompts;
    QTableView *m_versions;
    QLabel *m_versionHeader;
    QPlainTextEdit *m_template;
};

} // namespace sb
