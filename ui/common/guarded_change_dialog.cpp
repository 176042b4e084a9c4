#include "ui/common/guarded_change_dialog.h"

#include "ui/common/palette.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace sb {

namespace {

QString colour(const QColor &c)
{
    return c.name(QColor::HexRgb);
}

} // namespace

GuardedChangeDialog::GuardedChangeDialog(const Change &change, const QString &impact,
                                         bool production, QWidget *parent)
    : QDialog(parent), m_change(change), m_production(production), m_conflict(new QLabel(this)),
      m_reason(new QLineEdit(this)), m_revert(new QComboBox(this)),
      m_customMinutes(new QSpinBox(this)), m_outage(new QCheckBox(this)),
      m_confirm(new QLineEdit(this)), m_details(new QPlainTextEdit(this)),
      m_apply(new QPushButton(this)), m_layout(new QVBoxLayout(this))
{
    setObjectName(QStringLiteral("guardedChangeDialog"));
    setWindowTitle(change.title());
    setModal(true);
    setMinimumWidth(560);

    auto *layout = m_layout;
    layout->setSpacing(10);

    if (production) {
        auto *prod = new QLabel(tr("PRODUCTION connection — this changes live traffic"), this);
        prod->setObjectName(QStringLiteral("productionWarning"));
        prod->setAlignment(Qt::AlignCenter);
        prod->setStyleSheet(QStringLiteral("QLabel { background: %1; color: white; font-weight: "
                                           "bold; padding: 6px; border-radius: 3px; }")
                                .arg(colour(palette::prod())));
        layout->addWidget(prod);
    }

    m_conflict->setObjectName(QStringLiteral("conflictView"));
    m_conflict->setWordWrap(true);
    m_conflict->setTextFormat(Qt::RichText);
    m_conflict->setStyleSheet(
        QStringLiteral("QLabel { border: 2px solid %1; border-radius: 4px; padding: 8px; }")
            .arg(colour(palette::bad())));
    m_conflict->hide();
    layout->addWidget(m_conflict);

    auto *title = new QLabel(change.title().toHtmlEscaped(), this);
    QFont tf = title->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.3);
    tf.setBold(true);
    title->setFont(tf);
    title->setWordWrap(true);
    layout->addWidget(title);

    if (!change.oldValue.isEmpty() || !change.newValue.isEmpty()) {
        auto *oldNew = new QLabel(this);
        oldNew->setObjectName(QStringLiteral("oldNew"));
        oldNew->setTextFormat(Qt::RichText);
        oldNew->setText(tr("<span style='color:%1'>%2</span> &nbsp;→&nbsp; <b>%3</b>")
                            .arg(colour(palette::muted()), change.oldValue.toHtmlEscaped(),
                                 change.newValue.toHtmlEscaped()));
        QFont f = oldNew->font();
        f.setPointSizeF(f.pointSizeF() * 1.15);
        oldNew->setFont(f);
        layout->addWidget(oldNew);
    }

    if (!impact.isEmpty()) {
        auto *impactLabel = new QLabel(impact, this);
        impactLabel->setObjectName(QStringLiteral("impact"));
        impactLabel->setWordWrap(true);
        impactLabel->setTextFormat(Qt::PlainText);
        layout->addWidget(impactLabel);
    }

    m_details->setReadOnly(true);
    m_details->setObjectName(QStringLiteral("changeDetails"));
    m_details->hide();
    layout->addWidget(m_details, 1);

    auto *form = new QFormLayout;
    m_reason->setObjectName(QStringLiteral("reasonEdit"));
    m_reason->setPlaceholderText(tr("Why? Required; recorded in the audit log"));
    m_reason->setText(change.reason);
    form->addRow(tr("&Reason:"), m_reason);

    m_revert->setObjectName(QStringLiteral("revertCombo"));
    m_revert->addItem(tr("Keep until changed again"), 0);
    m_revert->addItem(tr("Revert after 15 min"), 15 * 60);
    m_revert->addItem(tr("Revert after 30 min"), 30 * 60);
    m_revert->addItem(tr("Revert after 1 h"), 60 * 60);
    m_revert->addItem(tr("Revert after 4 h"), 4 * 60 * 60);
    m_revert->addItem(tr("Revert after…"), -1);
    m_customMinutes->setRange(1, 7 * 24 * 60);
    m_customMinutes->setValue(10);
    m_customMinutes->setSuffix(tr(" min"));
    m_customMinutes->setObjectName(QStringLiteral("revertMinutes"));
    m_customMinutes->hide();
    auto *revertRow = new QHBoxLayout;
    revertRow->addWidget(m_revert, 1);
    revertRow->addWidget(m_customMinutes);
    if (change.canAutoRevert()) {
        for (int i = 0; i < m_revert->count(); ++i) {
            if (m_revert->itemData(i).toLongLong() == change.revertAfter.count())
                m_revert->setCurrentIndex(i);
        }
        auto *revertLabel = new QLabel(tr("&Auto-revert:"), this);
        revertLabel->setBuddy(m_revert);
        form->addRow(revertLabel, revertRow);
    } else {
        m_revert->hide();
    }
    connect(m_revert, &QComboBox::currentIndexChanged, this,
            [this] { m_customMinutes->setVisible(m_revert->currentData().toInt() < 0); });

    m_outage->setObjectName(QStringLiteral("outageCheck"));
    m_outage->hide();
    form->addRow(m_outage);

    m_confirm->setObjectName(QStringLiteral("confirmEdit"));
    if (production) {
        const QString name = change.confirmationText();
        m_confirm->setPlaceholderText(name);
        form->addRow(tr("Type <b>%1</b> to confirm:").arg(name.toHtmlEscaped()), m_confirm);
    } else {
        m_confirm->hide();
    }
    layout->addLayout(form);

    auto *buttons = new QDialogButtonBox(this);
    m_apply->setObjectName(QStringLiteral("applyButton"));
    m_apply->setText(change.title());
    m_apply->setDefault(true);
    buttons->addButton(m_apply, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_reason, &QLineEdit::textChanged, this, &GuardedChangeDialog::updateApply);
    connect(m_confirm, &QLineEdit::textChanged, this, &GuardedChangeDialog::updateApply);
    connect(m_outage, &QCheckBox::toggled, this, &GuardedChangeDialog::updateApply);
    updateApply();
    m_reason->setFocus();
}

void GuardedChangeDialog::setConflict(const QString &description, const QString &theirReason)
{
    QString html = tr("<b>Not applied: someone changed this first.</b><br>%1")
                       .arg(description.toHtmlEscaped());
    if (!theirReason.isEmpty())
        html += tr("<br>Their reason: “%1”").arg(theirReason.toHtmlEscaped());
    html += tr("<br>Nothing was overwritten. Decide again against the state as it is now.");
    m_conflict->setText(html);
    m_conflict->show();
}

void GuardedChangeDialog::setOutageRoutes(const QStringList &routes)
{
    if (routes.isEmpty())
        return;
    m_outage->setText(tr("I understand that route(s) %1 will have no model left and fail")
                          .arg(routes.join(QStringLiteral(", "))));
    m_outage->setStyleSheet(
        QStringLiteral("QCheckBox { color: %1; font-weight: bold; }").arg(colour(palette::bad())));
    m_outage->show();
    updateApply();
}

void GuardedChangeDialog::setDetails(const QString &text)
{
    m_details->setPlainText(text);
    m_details->setVisible(!text.isEmpty());
}

void GuardedChangeDialog::setDetailsWidget(QWidget *widget)
{
    m_details->hide();
    const int at = m_layout->indexOf(m_details);
    widget->setParent(this);
    m_layout->insertWidget(at + 1, widget, 1);
    resize(std::max(width(), 960), std::max(height(), 620));
}

Change GuardedChangeDialog::change() const
{
    Change c = m_change;
    c.reason = m_reason->text().trimmed();
    if (c.canAutoRevert()) {
        const int secs = m_revert->currentData().toInt();
        c.revertAfter = std::chrono::seconds(secs < 0 ? m_customMinutes->value() * 60 : secs);
    }
    c.allowRouteOutage = !m_outage->isHidden() && m_outage->isChecked();
    return c;
}

void GuardedChangeDialog::updateApply()
{
    QString why;
    if (m_reason->text().trimmed().isEmpty())
        why = tr("A reason is required");
    else if (m_production && m_confirm->text().trimmed() != m_change.confirmationText())
        why = tr("Type %1 to confirm a production change").arg(m_change.confirmationText());
    else if (!m_outage->isHidden() && !m_outage->isChecked())
        why = tr("Confirm that routes will be left without a model");
    m_apply->setEnabled(why.isEmpty());
    m_apply->setToolTip(why);
}

} // namespace sb
