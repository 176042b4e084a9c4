#include "ui/prompts/diff_view.h"

#include "ui/common/palette.h"

#include <QEvent>
#include <QLabel>
#include <QScrollBar>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace sb {

namespace {

QColor blend(const QColor &base, const QColor &tint, double amount)
{
    return QColor::fromRgbF(float(base.redF() * (1 - amount) + tint.redF() * amount),
                            float(base.greenF() * (1 - amount) + tint.greenF() * amount),
                            float(base.blueF() * (1 - amount) + tint.blueF() * amount));
}

QString hex(const QColor &c)
{
    return c.name(QColor::HexRgb);
}

// The line as HTML with its changed spans on `word` backgrounds.
QString lineHtml(const QString &line, const QList<DiffSpan> &spans, const QColor &word, int *count)
{
    QString out;
    qsizetype at = 0;
    for (const DiffSpan &s : spans) {
        out += line.mid(at, s.start - at).toHtmlEscaped();
        out += QStringLiteral("<span style=\"background-color:%1;\">%2</span>")
                   .arg(hex(word), line.mid(s.start, s.length).toHtmlEscaped());
        at = s.start + s.length;
        ++*count;
    }
    out += line.mid(at).toHtmlEscaped();
    // An empty cell collapses; a space keeps the row's height.
    return out.isEmpty() ? QStringLiteral("&nbsp;") : out;
}

} // namespace

DiffView::DiffView(QWidget *parent)
    : QWidget(parent), m_header(new QLabel(this)), m_fieldsLabel(new QLabel(this)),
      m_text(new QTextBrowser(this))
{
    setObjectName(QStringLiteral("diffView"));
    m_header->setObjectName(QStringLiteral("diffHeader"));
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_fieldsLabel->setObjectName(QStringLiteral("diffFieldChanges"));
    m_fieldsLabel->setTextFormat(Qt::RichText);
    m_fieldsLabel->setWordWrap(true);
    m_fieldsLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setObjectName(QStringLiteral("diffText"));
    m_text->setOpenLinks(false);
    m_text->setLineWrapMode(QTextEdit::WidgetWidth);
    // The same size as the template view beside it, not the HTML default.
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    mono.setPointSizeF(font().pointSizeF());
    m_text->setFont(mono);
    m_text->document()->setDefaultFont(mono);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(m_header);
    layout->addWidget(m_fieldsLabel);
    layout->addWidget(m_text, 1);
    showMessage(tr("Select a version to compare."));
}

void DiffView::setVersions(const PromptVersion &from, const PromptVersion &to,
                           const QString &fromTitle, const QString &toTitle)
{
    m_diff = diffText(from.templateText, to.templateText);
    m_fields = versionChanges(from, to);
    m_fromTitle = fromTitle;
    m_toTitle = toTitle;
    m_hasVersions = true;
    m_message.clear();
    render();
}

void DiffView::showMessage(const QString &message)
{
    m_diff = {};
    m_fields.clear();
    m_hasVersions = false;
    m_message = message;
    render();
}

QString DiffView::summary() const
{
    if (!m_hasVersions)
        return m_message;
    if (m_diff.identical() && m_fields.empty())
        return tr("no differences");
    QStringList parts;
    if (m_diff.changed)
        parts << tr("%n line(s) changed", nullptr, m_diff.changed);
    if (m_diff.added)
        parts << tr("%n added", nullptr, m_diff.added);
    if (m_diff.removed)
        parts << tr("%n removed", nullptr, m_diff.removed);
    if (m_diff.identical())
        parts << tr("same text");
    if (!m_fields.empty())
        parts << tr("%n setting(s) changed", nullptr, int(m_fields.size()));
    return parts.join(QStringLiteral(", "));
}

void DiffView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        render(); // colours follow a light / dark switch
    QWidget::changeEvent(event);
}

void DiffView::render()
{
    m_highlights = 0;
    if (!m_hasVersions) {
        m_header->setText(QStringLiteral("<i>%1</i>").arg(m_message.toHtmlEscaped()));
        m_fieldsLabel->hide();
        m_text->clear();
        return;
    }
    const QPalette pal = palette();
    const QColor base = pal.color(QPalette::Base);
    const QColor text = pal.color(QPalette::Text);
    const QColor removedLine = blend(base, palette::bad(), 0.14);
    const QColor removedWord = blend(base, palette::bad(), 0.42);
    const QColor addedLine = blend(base, palette::good(), 0.14);
    const QColor addedWord = blend(base, palette::good(), 0.42);
    const QColor filler = blend(base, pal.color(QPalette::Mid), 0.30);
    const QColor number = blend(base, text, 0.45);

    m_header->setText(tr("<b>%1</b> &nbsp;→&nbsp; <b>%2</b> &nbsp;·&nbsp; %3")
                          .arg(m_fromTitle.toHtmlEscaped(), m_toTitle.toHtmlEscaped(),
                               summary().toHtmlEscaped()));

    if (m_fields.empty()) {
        m_fieldsLabel->hide();
    } else {
        QString html = QStringLiteral("<table cellspacing='0' cellpadding='1'>");
        for (const auto &f : m_fields) {
            const QString from = f.from.isEmpty()
                                     ? tr("<i>(none)</i>")
                                     : QStringLiteral("<span style='background-color:%1'>%2</span>")
                                           .arg(hex(removedWord), f.from.toHtmlEscaped());
            const QString to = f.to.isEmpty()
                                   ? tr("<i>(removed)</i>")
                                   : QStringLiteral("<span style='background-color:%1'>%2</span>")
                                         .arg(hex(addedWord), f.to.toHtmlEscaped());
            html += QStringLiteral("<tr><td><b>%1</b>&nbsp;&nbsp;</td><td>%2 &nbsp;→&nbsp; "
                                   "%3</td></tr>")
                        .arg(f.field.toHtmlEscaped(), from, to);
        }
        html += QStringLiteral("</table>");
        m_fieldsLabel->setText(html);
        m_fieldsLabel->show();
    }

    QString html;
    html.reserve(int(m_diff.rows.size()) * 160);
    html += QStringLiteral("<table width='100%' cellspacing='0' cellpadding='2' "
                           "style='border-collapse:collapse'>");
    auto numberCell = [&](int line, const QColor &bg) {
        return QStringLiteral("<td align='right' width='4%' style='color:%1; background-color:%2;'>"
                              "%3</td>")
            .arg(hex(number), hex(bg),
                 line < 0 ? QStringLiteral("&nbsp;") : QString::number(line + 1));
    };
    auto textCell = [&](const QString &content, const QColor &bg) {
        return QStringLiteral("<td width='46%' style='white-space:pre-wrap; background-color:%1;'>"
                              "%2</td>")
            .arg(hex(bg), content);
    };
    int shown = 0;
    for (const DiffRow &r : m_diff.rows) {
        if (++shown > kMaxRows)
            break;
        QColor lbg = base, rbg = base;
        QString left, right;
        switch (r.kind) {
        case DiffRow::Kind::Same:
            left = lineHtml(r.left, {}, base, &m_highlights);
            right = lineHtml(r.right, {}, base, &m_highlights);
            break;
        case DiffRow::Kind::Changed:
            lbg = removedLine;
            rbg = addedLine;
            left = lineHtml(r.left, r.leftSpans, removedWord, &m_highlights);
            right = lineHtml(r.right, r.rightSpans, addedWord, &m_highlights);
            break;
        case DiffRow::Kind::Removed:
            lbg = removedLine;
            rbg = filler;
            left = lineHtml(r.left, {}, base, &m_highlights);
            right = QStringLiteral("&nbsp;");
            break;
        case DiffRow::Kind::Added:
            lbg = filler;
            rbg = addedLine;
            left = QStringLiteral("&nbsp;");
            right = lineHtml(r.right, {}, base, &m_highlights);
            break;
        }
        html += QStringLiteral("<tr>") + numberCell(r.leftLine, lbg) + textCell(left, lbg) +
                numberCell(r.rightLine, rbg) + textCell(right, rbg) + QStringLiteral("</tr>");
    }
    html += QStringLiteral("</table>");
    if (int(m_diff.rows.size()) > kMaxRows)
        html += tr("<p><i>Only the first %1 of %2 rows are shown.</i></p>")
                    .arg(kMaxRows)
                    .arg(m_diff.rows.size());
    const int scroll = m_text->verticalScrollBar() ? m_text->verticalScrollBar()->value() : 0;
    m_text->setHtml(html);
    m_text->verticalScrollBar()->setValue(scroll);
}

} // namespace sb
