#pragma once

// Page: what the main window hosts. A page renders what its controller holds;
// it may raise a badge on its sidebar entry (trouble on a page you are not
// looking at must still be loud).

#include <QString>
#include <QWidget>

namespace sb {

class Page : public QWidget
{
    Q_OBJECT
public:
    using QWidget::QWidget;
    // Called when connection or data freshness changed, and every second.
    virtual void updateFreshness() {}
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
