#include "ui/palette/command_palette.h"

#include "ui/common/palette.h"
#include "ui/common/privacy.h"

#include <QApplication>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QVBoxLayout>

namespace sb {

namespace {

// Two lines a row: the title with the matched letters in bold, and under it
// the kind and where it lives; the shortcut on the right.
class CommandDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const override
    {
        const QFontMetrics fm(option.font);
        return {200, fm.height() * 2 + 12};
    }

    void paint(QPainter *p, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override
    {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        const QString title = opt.text;
        opt.text.clear();
        const QWidget *w = opt.widget;
        QStyle *style = w ? w->style() : QApplication::style();
        style->drawControl(QStyle::CE_ItemViewItem, &opt, p, w);

        const bool selected = opt.state & QStyle::State_Selected;
        const bool enabled = index.data(CommandListModel::EnabledRole).toBool();
        const QPalette &pal = opt.palette;
        QColor text = pal.color(selected ? QPalette::HighlightedText : QPalette::Text);
        QColor dim = selected ? text : pal.color(QPalette::PlaceholderText);
        if (!enabled)
            text = dim;
        const QRect r = opt.rect.adjusted(10, 5, -10, -5);
        const QFontMetrics fm(opt.font);
        QFont bold = opt.font;
        bold.setBold(true);
        const QFontMetrics bfm(bold);

        // Shortcut, right-aligned on the first line.
        const QString shortcut = index.data(CommandListModel::ShortcutRole).toString();
        int right = r.right();
        if (!shortcut.isEmpty()) {
            const int sw = fm.horizontalAdvance(shortcut) + 12;
            const QRect box(right - sw, r.top(), sw, fm.height() + 2);
            p->setPen(dim);
            p->drawRoundedRect(box.adjusted(0, 0, -1, -1), 3, 3);
            p->drawText(box, Qt::AlignCenter, shortcut);
            right = box.left() - 8;
        }

        // Title, matched letters bold.
        const QList<int> hits = index.data(CommandListModel::HitsRole).value<QList<int>>();
        int x = r.left();
        const int baseline = r.top() + fm.ascent() + 1;
        for (qsizetype i = 0; i < title.size() && x < right; ++i) {
            const bool hit = hits.contains(int(i));
            p->setFont(hit ? bold : opt.font);
            p->setPen(text);
            const QString ch = title.mid(i, 1);
            p->drawText(QPoint(x, baseline), ch);
            x += (hit ? bfm : fm).horizontalAdvance(ch);
        }
        p->setFont(opt.font);

        // Kind · detail on the second line.
        const QString kind = index.data(CommandListModel::KindRole).toString();
        const QString detail = index.data(CommandListModel::DetailRole).toString();
        const QString second = detail.isEmpty() ? kind : kind + QStringLiteral("  ·  ") + detail;
        p->setPen(enabled ? dim : QColor(palette::warn()));
        p->drawText(QRect(r.left(), r.top() + fm.height() + 2, r.width(), fm.height()),
                    Qt::AlignLeft | Qt::AlignVCenter,
                    fm.elidedText(second, Qt::ElideRight, r.width()));
    }
};

} // namespace

void CommandListModel::setMatches(const CommandIndex *index, std::vector<CommandMatch> matches)
{
    beginResetModel();
    m_index = index;
    m_matches = std::move(matches);
    endResetModel();
}

int CommandListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_matches.size());
}

int CommandListModel::entryAt(int row) const
{
    return row >= 0 && row < int(m_matches.size()) ? m_matches[size_t(row)].entry : -1;
}

QVariant CommandListModel::data(const QModelIndex &index, int role) const
{
    const int e = entryAt(index.row());
    if (!m_index || e < 0)
        return {};
    const CommandEntry &c = m_index->entry(e);
    switch (role) {
    case Qt::DisplayRole:
        return c.title;
    case Qt::ToolTipRole:
        return c.enabled ? c.detail : c.disabledWhy;
    case KindRole:
        return c.kind;
    case DetailRole:
        return c.enabled ? c.detail : c.disabledWhy;
    case ShortcutRole:
        return c.shortcut;
    case EnabledRole:
        return c.enabled;
    case HitsRole: {
        QList<int> hits;
        for (int h : m_matches[size_t(index.row())].titleHits)
            hits << h;
        return QVariant::fromValue(hits);
    }
    default:
        return {};
    }
}

CommandPalette::CommandPalette(QWidget *parent)
    : QDialog(parent, Qt::Popup | Qt::FramelessWindowHint), m_query(new QLineEdit(this)),
      m_list(new QListView(this)), m_hint(new QLabel(this)), m_model(new CommandListModel(this))
{
    setObjectName(QStringLiteral("commandPalette"));
    setAttribute(Qt::WA_DeleteOnClose, false);
    setStyleSheet(QStringLiteral("#commandPalette { border: 1px solid palette(mid); }"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(6);
    m_query->setObjectName(QStringLiteral("paletteQuery"));
    m_query->setPlaceholderText(
        tr("Type a page, an action, a route, a model, a prompt or an experiment…"));
    m_query->setClearButtonEnabled(true);
    QFont big = m_query->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    m_query->setFont(big);
    m_list->setObjectName(QStringLiteral("paletteList"));
    m_list->setModel(m_model);
    m_list->setItemDelegate(new CommandDelegate(m_list));
    m_list->setUniformItemSizes(true);
    m_list->setFocusPolicy(Qt::NoFocus);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_hint->setObjectName(QStringLiteral("paletteHint"));
    m_hint->setWordWrap(true);
    layout->addWidget(m_query);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_hint);
    m_query->installEventFilter(this);
    connect(m_query, &QLineEdit::textChanged, this, &CommandPalette::refilter);
    connect(m_list, &QListView::clicked, this, [this](const QModelIndex &i) {
        m_list->setCurrentIndex(i);
        runCurrent();
    });
}

void CommandPalette::setEntries(std::vector<CommandEntry> entries, QHash<QString, qint64> recents,
                                qint64 nowMs)
{
    // While presenting, nothing the palette shows names a host or a token
    // (a profile's row says its endpoint, a disabled row may quote an error).
    if (privacy::enabled()) {
        for (auto &e : entries) {
            e.title = privacy::masked(e.title);
            e.detail = privacy::masked(e.detail);
            e.disabledWhy = privacy::masked(e.disabledWhy);
        }
    }
    m_index.setEntries(std::move(entries));
    m_index.setRecent(std::move(recents), nowMs);
    refilter();
}

void CommandPalette::popup()
{
    QWidget *host = parentWidget() ? parentWidget()->window() : nullptr;
    if (host) {
        const QRect g = host->geometry();
        const int w = std::clamp(g.width() * 6 / 10, 420, 760);
        const int h = std::clamp(g.height() * 6 / 10, 260, 560);
        setGeometry(g.x() + (g.width() - w) / 2, g.y() + g.height() / 8, w, h);
    }
    m_query->clear();
    refilter();
    show();
    raise();
    activateWindow();
    m_query->setFocus();
}

void CommandPalette::refilter()
{
    m_model->setMatches(&m_index, m_index.match(m_query->text(), 200));
    if (m_model->rowCount() > 0)
        m_list->setCurrentIndex(m_model->index(0));
    const int total = m_index.size();
    m_hint->setText(m_model->rowCount() == 0
                        ? tr("Nothing matches \"%1\". Words may be abbreviated: \"dis atl\" "
                             "finds Disable atlas-xl.")
                              .arg(m_query->text())
                        : tr("↑↓ to choose, Enter to run, Esc to close  ·  %1 of %2")
                              .arg(m_model->rowCount())
                              .arg(total));
}

void CommandPalette::runCurrent()
{
    const int e = m_model->entryAt(m_list->currentIndex().row());
    if (e < 0)
        return;
    const CommandEntry &c = m_index.entry(e);
    if (!c.enabled) {
        m_hint->setText(tr("%1: %2").arg(c.title, c.disabledWhy));
        return;
    }
    const QString id = c.id;
    const auto run = c.run;
    hide();
    emit chosen(id);
    if (run)
        run();
}

bool CommandPalette::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_query && event->type() == QEvent::KeyPress) {
        auto *k = static_cast<QKeyEvent *>(event);
        const int rows = m_model->rowCount();
        const int row = m_list->currentIndex().row();
        auto go = [&](int to) {
            if (rows > 0)
                m_list->setCurrentIndex(m_model->index(std::clamp(to, 0, rows - 1)));
            return true;
        };
        switch (k->key()) {
        case Qt::Key_Down:
            return go(row + 1);
        case Qt::Key_Up:
            return go(row - 1);
        case Qt::Key_PageDown:
            return go(row + 8);
        case Qt::Key_PageUp:
            return go(row - 8);
        case Qt::Key_Return:
        case Qt::Key_Enter:
            runCurrent();
            return true;
        case Qt::Key_Escape:
            hide();
            return true;
        default:
            break;
        }
    }
    return QDialog::eventFilter(watched, event);
}

} // namespace sb
