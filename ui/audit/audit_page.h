#pragma once

// Audit page: the service's audit events and this console's own actions in
// one table, filtered by target, actor, time range and text, exported to CSV,
// kept in the cache and shown stale offline.

#include "ui/common/page.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace sb {

class Session;
class AuditController;
class AuditFilter;
class StaleBanner;

class AuditPage : public Page
{
    Q_OBJECT
public:
    AuditPage(Session *session, AuditController *controller, QWidget *parent = nullptr);
    void updateFreshness() override;
    // Writes the visible rows as CSV; false with a message on failure.
    bool exportCsv(const QString &path, QString *error = nullptr) const;
    AuditFilter *filter() const { return m_filter; }

private:
    void applyRange();

    Session *m_session;
    AuditController *m_controller;
    StaleBanner *m_banner;
    QLineEdit *m_target;
    QLineEdit *m_actor;
    QLineEdit *m_text;
    QComboBox *m_range;
    QTableView *m_table;
    AuditFilter *m_filter;
    QLabel *m_count;
};

} // namespace sb
