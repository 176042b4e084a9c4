#pragma once

// VersionTimelineDelegate: the Prompts page's painting of version rows. Kept
// apart from the models (prompt_models.h) so the models and the controller
// build without Qt Widgets, for switchboard-ctl.

#include <QStyledItemDelegate>

namespace sb {

// Draws a version row's labels (VersionListModel::LabelsRole) as chips, and
// the Version column as a timeline: a line through every row with a dot per
// version, a hollow one where the parent is not the version just below.
class VersionTimelineDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace sb
