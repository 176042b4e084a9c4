#include "ui/timeline/note_dialog.h"

#include "ui/common/event_log.h"
#include "ui/common/format.h"

#include <QCheckBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>

namespace sb {

NoteDialog::NoteDialog(EventLog *events, qint64 fromMs, qint64 toMs, QWidget *parent)
    : QDialog(parent), m_events(events), m_fromMs(fromMs), m_text(new QPlainTextEdit(this)),
      m_hasEnd(new QCheckBox(tr("Ends at"), this)), m_end(new QDateTimeEdit(this))
{
    setWindowTitle(toMs > fromMs ? tr("Note for a range") : tr("Note"));
    m_text->setPlaceholderText(tr("What is happening, what you tried, what to follow up…"));
    m_text->setTabChangesFocus(true);
    m_end->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    m_end->setDateTime(QDateTime::fromMSecsSinceEpoch(toMs > fromMs ? toMs : fromMs));
    m_hasEnd->setChecked(toMs > fromMs);
    m_end->setEnabled(m_hasEnd->isChecked());
    connect(m_hasEnd, &QCheckBox::toggled, m_end, &QWidget::setEnabled);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Add note"));
    buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    connect(m_text, &QPlainTextEdit::textChanged, this, [this, buttons] {
        buttons->button(QDialogButtonBox::Ok)
            ->setEnabled(!m_text->toPlainText().trimmed().isEmpty());
    });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *end = new QHBoxLayout;
    end->addWidget(m_hasEnd);
    end->addWidget(m_end, 1);
    auto *form = new QFormLayout(this);
    form->addRow(tr("At"), new QLabel(formatClock(fromMs), this));
    form->addRow(tr("Note"), m_text);
    form->addRow(QString(), end);
    form->addRow(buttons);
    // Ctrl+Return adds it from the text (Return is a new line there).
    auto *add = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    connect(add, &QShortcut::activated, this, &NoteDialog::accept);
    m_text->setToolTip(tr("Ctrl+Return adds the note"));
    resize(460, 240);
    m_text->setFocus();
}

NoteDialog *NoteDialog::ask(QWidget *parent, EventLog *events, qint64 fromMs, qint64 toMs)
{
    auto *d = new NoteDialog(events, fromMs, toMs, parent ? parent->window() : nullptr);
    d->setAttribute(Qt::WA_DeleteOnClose);
    d->open();
    return d;
}

void NoteDialog::accept()
{
    const QString text = m_text->toPlainText().trimmed();
    if (text.isEmpty())
        return;
    const qint64 end = m_hasEnd->isChecked() ? m_end->dateTime().toMSecsSinceEpoch() : 0;
    m_events->addNote(text, m_fromMs, end > m_fromMs ? end : 0);
    QDialog::accept();
}

} // namespace sb
