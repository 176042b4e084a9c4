#include "ui/common/guarded_change_host.h"

#include <QMessageBox>

namespace sb {

GuardedChangeHost::GuardedChangeHost(QWidget *page, Submit submit, QWidget *focusBack)
    : QObject(page), m_page(page), m_submit(std::move(submit)), m_focusBack(focusBack)
{}

GuardedChangeDialog *GuardedChangeHost::create(const Change &change, const QString &impact,
                                               bool production)
{
    if (m_dialog)
        m_dialog->deleteLater();
    m_dialog = new GuardedChangeDialog(change, impact, production, m_page);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    return m_dialog;
}

void GuardedChangeHost::open()
{
    GuardedChangeDialog *d = m_dialog;
    if (!d)
        return;
    connect(d, &QDialog::accepted, this, [this, d] { m_submit(d->change()); });
    connect(d, &QDialog::finished, this, [this] {
        if (m_focusBack)
            m_focusBack->setFocus();
    });
    d->open();
}

bool GuardedChangeHost::alreadyDone(QWidget *parent, const std::optional<Change> &rebased,
                                    const QString &described)
{
    if (rebased)
        return false;
    auto *box = new QMessageBox(QMessageBox::Information, tr("Already done"),
                                tr("Not applied, and no need: %1").arg(described),
                                QMessageBox::Close, parent);
    box->setObjectName(QStringLiteral("alreadyDoneBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    return true;
}

} // namespace sb
