#include "ui/common/presenter.h"

#include "ui/common/privacy.h"

#include <QApplication>
#include <QFont>
#include <QHeaderView>
#include <QPointer>
#include <QTableView>
#include <QToolTip>
#include <QWidget>
#include <algorithm>
#include <cmath>
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
    const double factor = on ? kScale : 1.0 / kScale;
    // Each widget's font scaled from the size it has now: style sheets and
    // fonts set in code (a bold title 1.3× the text) keep a widget from
    // following the application font, so it is not left to propagation.
    std::vector<std::pair<QPointer<QWidget>, QFont>> fonts;
    for (QWidget *w : QApplication::allWidgets()) {
        fonts.emplace_back(w, scaled(w->font(), factor));
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
