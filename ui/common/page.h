#pragma once

// Page: what the main window hosts. A page renders what its controller holds;
// it may raise a badge on its sidebar entry (trouble on a page you are not
// looking at must still be loud).

#include "core/command_index.h"

#include <QString>
#include <QWidget>
#include <vector>

namespace sb {

class Page : public QWidget
{
    Q_OBJECT
public:
    using QWidget::QWidget;
    // Called when connection or data freshness changed, and every second.
    virtual void updateFreshness() {}
    // What this page offers the command palette besides its QActions (the
    // window lists those itself): its objects, e.g. routes and models, and
    // what can be done to them. The window shows the page before an entry's
    // run(), and rebuilds the list each time the palette opens.
    virtual void addCommands(std::vector<CommandEntry> &) {}
    int badgeCount() const { return m_badge; }
    QString badgeText() const { return m_badgeText; }

signals:
    void badgeChanged(int count, const QString &why);

protected:
    void setBadge(int count, const QString &why)
    {
        if (count == m_badge && why == m_badgeText)
            return;
        m_badge = count;
        m_badgeText = why;
        emit badgeChanged(count, why);
    }

private:
    int m_badge = 0;
    QString m_badgeText;
};

} // namespace sb
