#include "ui/connections/quick_switcher.h"

#include "ui/common/palette.h"

#include <QCoreApplication>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

namespace sb {

namespace {

constexpr int kProfileRole = Qt::UserRole + 1;
const QString kManage = QStringLiteral("\x01manage");

} // namespace

QuickSwitcher::QuickSwitcher(const std::vector<ConnectionProfile> &profiles, const QString &current,
                             const QSet<QString> &open, QWidget *parent)
    : QDialog(parent, Qt::Popup | Qt::FramelessWindowHint), m_profiles(profiles),
      m_current(current), m_open(open), m_filter(new QLineEdit(this)),
      m_list(new QListWidget(this)), m_hint(new QLabel(this))
{
    setObjectName(QStringLiteral("quickSwitcher"));
    setAttribute(Qt::WA_DeleteOnClose);
    auto *l = new QVBoxLayout(this);
    l->setContentsMargins(8, 8, 8, 8);
    m_filter->setObjectName(QStringLiteral("switcherFilter"));
    m_filter->setPlaceholderText(tr("Switch to a service…"));
    m_filter->setClearButtonEnabled(true);
    m_list->setObjectName(QStringLiteral("switcherList"));
    m_list->setIconSize(QSize(14, 14));
    m_list->setUniformItemSizes(true);
    m_list->setStyleSheet(QStringLiteral("QListWidget::item { padding: 5px; }"));
    m_hint->setObjectName(QStringLiteral("switcherHint"));
    m_hint->setText(tr("Enter: switch this window   ·   Ctrl+Enter: open beside   ·   Esc: close"));
    m_hint->setStyleSheet(QStringLiteral("color: %1;").arg(palette::muted().name()));
    l->addWidget(m_filter);
    l->addWidget(m_list, 1);
    l->addWidget(m_hint);
    setStyleSheet(QStringLiteral("#quickSwitcher { border: 1px solid palette(mid); }"));
    m_filter->installEventFilter(this);
    m_list->installEventFilter(this);
    connect(m_filter, &QLineEdit::textChanged, this, &QuickSwitcher::refilter);
    connect(m_list, &QListWidget::itemActivated, this, [this] { activate(false); });
    resize(560, 360);
    if (parent) {
        const QWidget *top = parent->window();
        move(top->mapToGlobal(QPoint((top->width() - width()) / 2, 60)));
    }
    refilter();
    m_filter->setFocus();
}

void QuickSwitcher::refilter()
{
    m_list->clear();
    const QString f = m_filter->text().trimmed();
    for (const auto &p : m_profiles) {
        if (!f.isEmpty() && !p.name.contains(f, Qt::CaseInsensitive) &&
            !p.endpoint.contains(f, Qt::CaseInsensitive) &&
            !toString(p.environment).contains(f, Qt::CaseInsensitive))
            continue;
        QString text = QStringLiteral("%1    %2 · %3")
                           .arg(p.name, toString(p.environment).toUpper(), p.endpoint);
        if (p.name == m_current)
            text += tr("   (this window)");
        else if (m_open.contains(p.name))
            text += tr("   (open)");
        auto *item = new QListWidgetItem(environmentSwatch(p.environment), text, m_list);
        item->setData(kProfileRole, p.name);
        item->setToolTip(p.summary());
        if (p.environment == Environment::Prod) {
            QFont font = item->font();
            font.setBold(true);
            item->setFont(font);
        }
    }
    auto *manage = new QListWidgetItem(QIcon::fromTheme(QStringLiteral("configure")),
                                       tr("Manage profiles…"), m_list);
    manage->setData(kProfileRole, kManage);
    // Start on the first service that is not this window's.
    int row = 0;
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->data(kProfileRole).toString() != m_current) {
            row = i;
            break;
        }
    }
    m_list->setCurrentRow(row);
}

void QuickSwitcher::activate(bool beside)
{
    auto *item = m_list->currentItem();
    if (!item)
        return;
    const QString name = item->data(kProfileRole).toString();
    close();
    if (name == kManage)
        emit manageRequested();
    else if (beside)
        emit openBesideRequested(name);
    else
        emit switchRequested(name);
}

bool QuickSwitcher::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        switch (key->key()) {
        case Qt::Key_Down:
        case Qt::Key_Up:
        case Qt::Key_PageDown:
        case Qt::Key_PageUp:
            if (watched == m_filter) {
                QCoreApplication::sendEvent(m_list, event);
                return true;
            }
            break;
        case Qt::Key_Return:
        case Qt::Key_Enter:
            activate(key->modifiers().testFlag(Qt::ControlModifier));
            return true;
        case Qt::Key_Escape:
            close();
            return true;
        default:
            break;
        }
    }
    return QDialog::eventFilter(watched, event);
}

} // namespace sb
