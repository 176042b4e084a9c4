#include "ui/prompts/version_timeline_delegate.h"

#include "ui/prompts/prompt_models.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>

namespace sb {

void VersionTimelineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                    const QModelIndex &index) const
{
    const int column = index.column();
    if (column != VersionListModel::Version && column != VersionListModel::Labels) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // Background (selection, alternate rows) as the style draws it, no text.
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    const QWidget *w = option.widget;
    QStyle *style = w ? w->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, w);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect r = option.rect;
    const bool selected = option.state & QStyle::State_Selected;
    const QColor fg = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    if (column == VersionListModel::Version) {
        // The timeline: a line down the rows, a dot on this one.
        const int x = r.left() + 12;
        const int cy = r.center().y();
        QPen line(option.palette.color(QPalette::Mid), 2);
        painter->setPen(line);
        const int rows = index.model()->rowCount();
        painter->drawLine(x, index.row() == 0 ? cy : r.top(), x,
                          index.row() == rows - 1 ? cy : r.bottom() + 1);
        const QStringList labels = index.data(VersionListModel::LabelsRole).toStringList();
        const QColor dot =
            labels.isEmpty() ? option.palette.color(QPalette::Text) : labelColour(labels.front());
        const quint32 version = index.data(VersionListModel::VersionRole).toUInt();
        const quint32 parent = index.data(VersionListModel::ParentRole).toUInt();
        const bool branch = parent != 0 && parent + 1 != version;
        painter->setPen(QPen(dot, 2));
        painter->setBrush(branch ? option.palette.color(QPalette::Base) : dot);
        painter->drawEllipse(QPoint(x, cy), 5, 5);
        painter->setPen(fg);
        QFont f = option.font;
        f.setBold(true);
        painter->setFont(f);
        painter->drawText(r.adjusted(24, 0, -4, 0), Qt::AlignVCenter | Qt::AlignLeft,
                          option.fontMetrics.elidedText(text, Qt::ElideRight, r.width() - 28));
    } else {
        // Labels as chips.
        QFont f = option.font;
        f.setBold(true);
        f.setPointSizeF(f.pointSizeF() * 0.9);
        painter->setFont(f);
        const QFontMetrics fm(f);
        int x = r.left() + 4;
        const int h = fm.height() + 4;
        const int y = r.center().y() - h / 2;
        for (const QString &label : index.data(VersionListModel::LabelsRole).toStringList()) {
            const int wChip = fm.horizontalAdvance(label) + 12;
            if (x + wChip > r.right())
                break;
            QPainterPath path;
            path.addRoundedRect(QRectF(x, y, wChip, h), h / 2.0, h / 2.0);
            painter->fillPath(path, labelColour(label));
            painter->setPen(Qt::white);
            painter->drawText(QRect(x, y, wChip, h), Qt::AlignCenter, label);
            x += wChip + 4;
        }
    }
    painter->restore();
}

QSize VersionTimelineDelegate::sizeHint(const QStyleOptionViewItem &option,
                                        const QModelIndex &index) const
{
    QSize s = QStyledItemDelegate::sizeHint(option, index);
    if (index.column() == VersionListModel::Version)
        s.setWidth(s.width() + 28);
    if (index.column() == VersionListModel::Labels) {
        QFont f = option.font;
        f.setBold(true);
        f.setPointSizeF(f.pointSizeF() * 0.9);
        const QFontMetrics fm(f);
        int w = 8;
        for (const QString &label : index.data(VersionListModel::LabelsRole).toStringList())
            w += fm.horizontalAdvance(label) + 16;
        s.setWidth(std::max(s.width(), w));
    }
    return s;
}

} // namespace sb
