#pragma once

// ExemplarList: the slow requests behind one interval's p99 (a click on the
// chart), slowest first, each with its trace id and, when a {trace_id} URL
// template is configured (--trace-url), a link that opens the team's tracing
// UI (double-click or Enter).

#include "core/exemplar.h"

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace sb {

class ExemplarList : public QWidget
{
    Q_OBJECT
public:
    explicit ExemplarList(QWidget *parent = nullptr);
    void show(const QString &series, qint64 fromMs, qint64 toMs, double p99Ms,
              const std::vector<Exemplar> &exemplars, const QString &note,
              const QString &urlTemplate);
    QTreeWidget *list() const { return m_list; }
    QString title() const;

signals:
    void linkActivated(const QString &url);

private:
    QLabel *m_title;
    QTreeWidget *m_list;
};

} // namespace sb
