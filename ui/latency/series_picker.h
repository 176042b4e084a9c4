#pragma once

// SeriesPicker: which series the latency chart draws, as a tree (route →
// model → variant) with a search box; several may be selected at once. A
// route node charts the route as a whole (the per-route history, which the
// cache also holds); a model or variant node charts that one series. Items
// are only ever added, so a refresh never takes the user's selection away.
//
// Ids are strings the page understands: "route:<name>" and "series:<SeriesId>".
//
// Known gap: a QTreeWidget, not a model of its own (no QAbstractItemModelTester
// coverage); nodes of series that stopped are never removed.

#include "core/series.h"

#include <QHash>
#include <QStringList>
#include <QWidget>

class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace sb {

class SeriesPicker : public QWidget
{
    Q_OBJECT
public:
    explicit SeriesPicker(QWidget *parent = nullptr);

    static QString routeId(const QString &route);
    static QString seriesId(SeriesId id);

    void addRoute(const QString &route);
    void addSeries(SeriesId id, const SeriesKey &key);
    // A second column for a series: where it comes from and its error bound
    // (OTLP, Prometheus); also in its tooltip.
    void setNote(SeriesId id, const QString &note);
    void clear();

    QStringList selectedIds() const;
    // Replaces the selection (unknown ids are ignored).
    void select(const QStringList &ids);
    // What the chart calls the series of an id.
    QString labelOf(const QString &id) const;
    QTreeWidget *tree() const { return m_tree; }
    QLineEdit *search() const { return m_search; }

signals:
    void selectionChanged(const QStringList &ids);

private:
    QTreeWidgetItem *routeItem(const QString &route);
    QTreeWidgetItem *child(QTreeWidgetItem *parent, const QString &text);
    void applyFilter();

    QLineEdit *m_search;
    QTreeWidget *m_tree;
    QHash<QString, QTreeWidgetItem *> m_items; // by id
    QHash<QString, QString> m_labels;          // by id
    bool m_selecting = false;
};

} // namespace sb
