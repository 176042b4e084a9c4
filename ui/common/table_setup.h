#pragma once

// One setup for every table and tree: sortable by any column (through a
// proxy, so models stay in their natural order), header tooltips from the
// model's ToolTipRole, eliding with the full text in a tooltip, a visible
// keyboard focus, and a selection that survives a refresh (kept by a key the
// caller names, e.g. the route or prompt name).

#include <QObject>
#include <functional>

class QAbstractItemModel;
class QAbstractItemView;
class QSortFilterProxyModel;
class QTreeView;
class QTableView;
class QModelIndex;

namespace sb {

// Wraps `model` in a sorting proxy, sets it on `view` and configures the
// view. Returns the proxy (owned by the view).
QSortFilterProxyModel *setupTable(QTableView *view, QAbstractItemModel *model);
QSortFilterProxyModel *setupTree(QTreeView *view, QAbstractItemModel *model);

// Keeps the current row across model resets: before a reset, remembers
// key(current); after it, selects the row whose key matches again. `key`
// reads from the view's model (the proxy).
void keepSelection(QAbstractItemView *view, std::function<QString(const QModelIndex &)> key);

// Sizes columns to their contents within [min, max] pixels and gives the last
// one the rest, so nothing is cut at 1024×640 and nothing sprawls at 1920×1080.
void fitColumns(QAbstractItemView *view, int minWidth = 60, int maxWidth = 360);

} // namespace sb
