#include "ui/latency/series_picker.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QVBoxLayout>
#include <functional>

namespace sb {

namespace {
constexpr int kIdRole = Qt::UserRole;
}

SeriesPicker::SeriesPicker(QWidget *parent)
    : QWidget(parent), m_search(new QLineEdit(this)), m_tree(new QTreeWidget(this))
{
    m_search->setObjectName(QStringLiteral("seriesSearch"));
    m_search->setPlaceholderText(tr("Search routes, models, variants"));
    m_search->setClearButtonEnabled(true);
    m_tree->setObjectName(QStringLiteral("seriesTree"));
    m_tree->setHeaderHidden(true);
    m_tree->setColumnCount(2);
    m_tree->header()->setStretchLastSection(true);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setUniformRowHeights(true);
    m_tree->setToolTip(tr("Ctrl+click or Shift+click to chart several series"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_search);
    layout->addWidget(m_tree, 1);
    connect(m_search, &QLineEdit::textChanged, this, &SeriesPicker::applyFilter);
    connect(m_tree, &QTreeWidget::itemSelectionChanged, this, [this] {
        if (!m_selecting)
            emit selectionChanged(selectedIds());
    });
    // A model reported only per variant has no series of its own: a click on
    // it charts its variants (it used to clear the chart).
    connect(m_tree, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *item) {
        if (item->flags() & Qt::ItemIsSelectable || item->childCount() == 0)
            return;
        QStringList ids;
        for (int i = 0; i < item->childCount(); ++i) {
            const QString id = item->child(i)->data(0, kIdRole).toString();
            if (!id.isEmpty() && !item->child(i)->isHidden())
                ids << id;
        }
        if (!ids.isEmpty())
            select(ids);
    });
}

QString SeriesPicker::routeId(const QString &route)
{
    return QStringLiteral("route:") + route;
}

QString SeriesPicker::seriesId(SeriesId id)
{
    return QStringLiteral("series:") + QString::number(id);
}

QTreeWidgetItem *SeriesPicker::routeItem(const QString &route)
{
    const QString id = routeId(route);
    if (auto *item = m_items.value(id))
        return item;
    auto *item = new QTreeWidgetItem(QStringList{route});
    item->setData(0, kIdRole, id);
    item->setToolTip(0, tr("%1, all models and variants").arg(route));
    // Sorted by name.
    int at = 0;
    while (at < m_tree->topLevelItemCount() && m_tree->topLevelItem(at)->text(0) < route)
        ++at;
    m_tree->insertTopLevelItem(at, item);
    item->setExpanded(true); // models and variants in sight without a click
    m_items.insert(id, item);
    m_labels.insert(id, route);
    applyFilter();
    return item;
}

QTreeWidgetItem *SeriesPicker::child(QTreeWidgetItem *parent, const QString &text)
{
    int at = 0;
    for (; at < parent->childCount(); ++at) {
        if (parent->child(at)->text(0) == text)
            return parent->child(at);
        if (parent->child(at)->text(0) > text)
            break;
    }
    auto *item = new QTreeWidgetItem(QStringList{text});
    // Selectable once a series of its own is known.
    item->setFlags(Qt::ItemIsEnabled);
    parent->insertChild(at, item);
    return item;
}

void SeriesPicker::addRoute(const QString &route)
{
    if (!route.isEmpty())
        routeItem(route);
}

void SeriesPicker::addSeries(SeriesId id, const SeriesKey &key)
{
    const QString sid = seriesId(id);
    if (m_items.contains(sid))
        return;
    QTreeWidgetItem *item = routeItem(key.route);
    item = child(item, key.model.isEmpty() ? tr("(model not reported)") : key.model);
    if (!key.variant.isEmpty())
        item = child(item, key.variant);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setData(0, kIdRole, sid);
    item->setToolTip(0, key.label());
    m_items.insert(sid, item);
    m_labels.insert(sid, key.label());
    applyFilter();
}

void SeriesPicker::setNote(SeriesId id, const QString &note)
{
    QTreeWidgetItem *item = m_items.value(seriesId(id));
    if (!item || item->toolTip(1) == note)
        return;
    // The bound in the column, the whole note in the tooltip.
    const qsizetype bound = note.indexOf(QStringLiteral("\u00b1"));
    const QString shortNote = bound >= 0 ? note.mid(bound).section(QLatin1Char(' '), 0, 1)
                                         : note.section(QLatin1Char(' '), 0, 0);
    item->setText(1, shortNote);
    item->setForeground(1, m_tree->palette().brush(QPalette::PlaceholderText));
    item->setToolTip(1, note);
    item->setToolTip(0, m_labels.value(seriesId(id)) + QStringLiteral("\n") + note);
}

void SeriesPicker::clear()
{
    m_selecting = true;
    m_tree->clear();
    m_items.clear();
    m_labels.clear();
    m_selecting = false;
    emit selectionChanged({});
}

QStringList SeriesPicker::selectedIds() const
{
    QStringList ids;
    // In tree order, so the chart's legend reads like the tree.
    for (QTreeWidgetItemIterator it(m_tree, QTreeWidgetItemIterator::Selected); *it; ++it) {
        const QString id = (*it)->data(0, kIdRole).toString();
        if (!id.isEmpty())
            ids << id;
    }
    return ids;
}

void SeriesPicker::select(const QStringList &ids)
{
    m_selecting = true;
    m_tree->clearSelection();
    QTreeWidgetItem *first = nullptr;
    for (const auto &id : ids) {
        if (auto *item = m_items.value(id)) {
            item->setSelected(true);
            if (item->parent())
                item->parent()->setExpanded(true);
            if (!first)
                first = item;
        }
    }
    if (first)
        m_tree->scrollToItem(first);
    m_selecting = false;
    emit selectionChanged(selectedIds());
}

QString SeriesPicker::labelOf(const QString &id) const
{
    return m_labels.value(id, id);
}

void SeriesPicker::applyFilter()
{
    const QString needle = m_search->text().trimmed();
    // An item shows when it, an ancestor or a descendant matches.
    std::function<bool(QTreeWidgetItem *, bool)> visit = [&](QTreeWidgetItem *item,
                                                             bool ancestorMatches) {
        const bool matches = needle.isEmpty() || ancestorMatches ||
                             item->text(0).contains(needle, Qt::CaseInsensitive);
        bool anyChild = false;
        for (int i = 0; i < item->childCount(); ++i)
            anyChild = visit(item->child(i), matches) || anyChild;
        const bool show = matches || anyChild;
        item->setHidden(!show);
        if (!needle.isEmpty() && anyChild)
            item->setExpanded(true);
        return show;
    };
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        visit(m_tree->topLevelItem(i), false);
}

} // namespace sb
