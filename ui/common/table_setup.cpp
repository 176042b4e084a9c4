#include "ui/common/table_setup.h"

#include <QAbstractItemView>
#include <QHeaderView>
#include <QHelpEvent>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolTip>
#include <QTreeView>

namespace sb {

namespace {

// Shows the full text of an elided cell as its tooltip when the model gives
// none of its own.
class ElideTips : public QObject
{
public:
    explicit ElideTips(QAbstractItemView *view) : QObject(view), m_view(view) {}

protected:
    bool eventFilter(QObject *, QEvent *e) override
    {
        if (e->type() != QEvent::ToolTip)
            return false;
        auto *help = static_cast<QHelpEvent *>(e);
        const QModelIndex idx = m_view->indexAt(help->pos());
        if (!idx.isValid())
            return false;
        if (!idx.data(Qt::ToolTipRole).toString().isEmpty())
            return false; // the model's own tooltip
        const QString text = idx.data(Qt::DisplayRole).toString();
        const QRect rect = m_view->visualRect(idx);
        const int needed = m_view->fontMetrics().horizontalAdvance(text) + 12;
        if (text.isEmpty() || needed <= rect.width()) {
            QToolTip::hideText();
            return true;
        }
        QToolTip::showText(help->globalPos(), text, m_view, rect);
        return true;
    }

private:
    QAbstractItemView *m_view;
};

// Sorts by the model's Qt::UserRole value where it gives one (numbers, times),
// else by the displayed text, so "9 ms" sorts before "10 ms".
class SortProxy : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

protected:
    bool lessThan(const QModelIndex &a, const QModelIndex &b) const override
    {
        const QVariant ka = a.data(Qt::UserRole), kb = b.data(Qt::UserRole);
        if (ka.isValid() && kb.isValid())
            return QVariant::compare(ka, kb) == QPartialOrdering::Less;
        return QString::localeAwareCompare(a.data().toString(), b.data().toString()) < 0;
    }
};

const char *kFocusStyle = "QAbstractItemView:focus { border: 2px solid palette(highlight); }";

void common(QAbstractItemView *view)
{
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->setTextElideMode(Qt::ElideRight);
    view->setStyleSheet(QString::fromLatin1(kFocusStyle));
    view->viewport()->installEventFilter(new ElideTips(view));
}

QSortFilterProxyModel *proxyFor(QAbstractItemView *view, QAbstractItemModel *model)
{
    auto *proxy = new SortProxy(view);
    proxy->setSourceModel(model);
    proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy->setRecursiveFilteringEnabled(true);
    view->setModel(proxy);
    return proxy;
}

} // namespace

QSortFilterProxyModel *setupTable(QTableView *view, QAbstractItemModel *model)
{
    auto *proxy = proxyFor(view, model);
    common(view);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 10);
    view->setWordWrap(false);
    view->setSortingEnabled(true);
    view->horizontalHeader()->setSortIndicatorShown(true);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
    view->sortByColumn(-1, Qt::AscendingOrder); // natural order until a header is clicked
    return proxy;
}

QSortFilterProxyModel *setupTree(QTreeView *view, QAbstractItemModel *model)
{
    auto *proxy = proxyFor(view, model);
    common(view);
    view->setUniformRowHeights(true);
    view->setSortingEnabled(true);
    view->header()->setSortIndicatorShown(true);
    view->header()->setStretchLastSection(true);
    view->sortByColumn(-1, Qt::AscendingOrder);
    view->setAllColumnsShowFocus(true);
    return proxy;
}

void keepSelection(QAbstractItemView *view, std::function<QString(const QModelIndex &)> key)
{
    auto *model = view->model();
    auto remembered = std::make_shared<QString>();
    QObject::connect(model, &QAbstractItemModel::modelAboutToBeReset, view,
                     [view, key, remembered] {
                         const QModelIndex cur = view->currentIndex();
                         if (cur.isValid())
                             *remembered = key(cur);
                     });
    QObject::connect(model, &QAbstractItemModel::modelReset, view, [view, key, remembered] {
        if (remembered->isEmpty())
            return;
        auto *m = view->model();
        std::function<bool(const QModelIndex &)> find = [&](const QModelIndex &parent) {
            for (int r = 0; r < m->rowCount(parent); ++r) {
                const QModelIndex idx = m->index(r, 0, parent);
                if (key(idx) == *remembered) {
                    view->setCurrentIndex(idx);
                    return true;
                }
                if (find(idx))
                    return true;
            }
            return false;
        };
        find({});
    });
}

void fitColumns(QAbstractItemView *view, int minWidth, int maxWidth)
{
    QHeaderView *header = nullptr;
    if (auto *t = qobject_cast<QTableView *>(view))
        header = t->horizontalHeader();
    else if (auto *tr = qobject_cast<QTreeView *>(view))
        header = tr->header();
    if (!header || !view->model())
        return;
    const int n = view->model()->columnCount();
    for (int c = 0; c < n - 1; ++c) {
        if (auto *t = qobject_cast<QTableView *>(view))
            t->resizeColumnToContents(c);
        else if (auto *tr = qobject_cast<QTreeView *>(view))
            tr->resizeColumnToContents(c);
        header->resizeSection(c, std::clamp(header->sectionSize(c) + 8, minWidth, maxWidth));
    }
}

} // namespace sb
