#include "ui/common/presenter.h"

#include "ui/common/privacy.h"

#include <QApplication>
#include <QClipboard>
#include <QFont>
#include <QHeaderView>
#include <QPointer>
#include <QTableView>
#include <QToolTip>
#include <QWidget>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <qcustomplot.h>
#include <vector>

namespace sb::presenter {

namespace {
QFont &originalFont()
{
    static QFont f;
    return f;
}

QFont &originalTipFont()
{
    static QFont f;
    return f;
}

QFont scaled(QFont f, double factor)
{
    if (f.pointSizeF() > 0)
        f.setPointSizeF(f.pointSizeF() * factor);
    else if (f.pixelSize() > 0)
        f.setPixelSize(std::max(1, int(std::lround(f.pixelSize() * factor))));
    return f;
}
// Charts keep their type in their own elements, not the widget's font.
void scaleChart(QCustomPlot *p, double factor)
{
    for (QCPAxisRect *rect : p->axisRects()) {
        for (QCPAxis *a : rect->axes()) {
            a->setTickLabelFont(scaled(a->tickLabelFont(), factor));
            a->setSelectedTickLabelFont(scaled(a->selectedTickLabelFont(), factor));
            a->setLabelFont(scaled(a->labelFont(), factor));
            a->setSelectedLabelFont(scaled(a->selectedLabelFont(), factor));
        }
    }
    if (p->legend) {
        p->legend->setFont(scaled(p->legend->font(), factor));
        for (int i = 0; i < p->legend->itemCount(); ++i) {
            if (QCPAbstractLegendItem *item = p->legend->item(i))
                item->setFont(scaled(item->font(), factor));
        }
    }
    for (QCPLayoutElement *e : p->plotLayout()->elements(true)) {
        if (auto *t = qobject_cast<QCPTextElement *>(e))
            t->setFont(scaled(t->font(), factor));
    }
    for (int i = 0; i < p->itemCount(); ++i) {
        if (auto *t = qobject_cast<QCPItemText *>(p->item(i)))
            t->setFont(scaled(t->font(), factor));
    }
    p->replot(QCustomPlot::rpQueuedReplot);
}

QtMessageHandler g_previousHandler = nullptr;

// Logs written while presenting (qInfo, qWarning, … from any thread) lose
// their hosts, tokens and request ids like the screen does: a log shown on a
// shared screen or pasted into a chat is a screen too.
void maskingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QString text = privacy::masked(message);
    if (g_previousHandler)
        g_previousHandler(type, context, text);
    else
        std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, text)));
}

// What the user copies while presenting is masked too, whatever copied it
// (a line edit, a label's selection, a table): the text is replaced as it
// lands on the clipboard. Setting the masked text changes nothing more.
void maskClipboard(QClipboard::Mode mode)
{
    QClipboard *clipboard = QGuiApplication::clipboard();
    if (!privacy::enabled() || !clipboard)
        return;
    const QString text = clipboard->text(mode);
    const QString masked = privacy::masked(text);
    if (masked != text)
        clipboard->setText(masked, mode);
}

void installGuards()
{
    static bool installed = false;
    if (installed)
        return;
    installed = true;
    g_previousHandler = qInstallMessageHandler(maskingHandler);
    if (QClipboard *clipboard = QGuiApplication::clipboard())
        QObject::connect(clipboard, &QClipboard::changed, clipboard, &maskClipboard);
}

} // namespace

bool isOn()
{
    return privacy::enabled();
}

double scale()
{
    return isOn() ? kScale : 1.0;
}

void setOn(bool on)
{
    if (on == isOn())
        return;
    if (on)
        installGuards();
    const double factor = on ? kScale : 1.0 / kScale;
    // Each widget's font scaled from the size it has now: style sheets and
    // fonts set in code (a bold title 1.3× the text) keep a widget from
    // following the application font, so it is not left to propagation.
    std::vector<std::pair<QPointer<QWidget>, QFont>> fonts;
    for (QWidget *w : QApplication::allWidgets()) {
        fonts.emplace_back(w, scaled(w->font(), factor));
        if (auto *plot = qobject_cast<QCustomPlot *>(w))
            scaleChart(plot, factor);
        // Tables sized their rows for the type they were built with.
        if (auto *t = qobject_cast<QTableView *>(w))
            t->verticalHeader()->setDefaultSectionSize(
                int(std::lround(t->verticalHeader()->defaultSectionSize() * factor)));
    }
    if (on) {
        originalFont() = QApplication::font();
        originalTipFont() = QToolTip::font();
        QApplication::setFont(scaled(originalFont(), kScale));
        QToolTip::setFont(scaled(originalTipFont(), kScale));
    } else {
        QApplication::setFont(originalFont());
        QToolTip::setFont(originalTipFont());
    }
    for (auto &[w, f] : fonts) {
        if (w)
            w->setFont(f);
    }
    privacy::setEnabled(on);
}

} // namespace sb::presenter
