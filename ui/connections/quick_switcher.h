#pragma once

// QuickSwitcher (Ctrl+P): a filterable list of the connection profiles, each
// with its environment's colour and whether it is open. Enter switches this
// window to the chosen service; Ctrl+Enter opens it in a window of its own,
// beside this one; the last entry opens the profile manager.

#include "ui/connections/profile.h"

#include <QDialog>
#include <QSet>

class QLineEdit;
class QListWidget;
class QLabel;

namespace sb {

class QuickSwitcher : public QDialog
{
    Q_OBJECT
public:
    QuickSwitcher(const std::vector<ConnectionProfile> &profiles, const QString &current,
                  const QSet<QString> &open, QWidget *parent);

    QLineEdit *filter() const { return m_filter; }
    QListWidget *list() const { return m_list; }

signals:
    void switchRequested(const QString &profile);
    void openBesideRequested(const QString &profile);
    void manageRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refilter();
    void activate(bool beside);

    std::vector<ConnectionProfile> m_profiles;
    QString m_current;
    QSet<QString> m_open;
    QLineEdit *m_filter;
    QListWidget *m_list;
    QLabel *m_hint;
};

} // namespace sb
