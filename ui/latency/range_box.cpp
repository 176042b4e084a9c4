#include "ui/latency/range_box.h"

#include <QDateTime>
#include <QSignalBlocker>

namespace sb {

namespace {
constexpr int kCustom = -1; // the item data of the custom span
} // namespace

RangeBox::RangeBox(QWidget *parent) : QComboBox(parent)
{
    setObjectName(QStringLiteral("chartWindow"));
    setSizeAdjustPolicy(QComboBox::AdjustToContents);
    addItem(tr("Last 5 minutes"), 300);
    addItem(tr("Last 15 minutes"), 900);
    addItem(tr("Last hour"), 3600);
    addItem(tr("Last 6 hours"), 6 * 3600);
    addItem(tr("Last 24 hours"), 24 * 3600);
    setCurrentIndex(0);
    // The user's choice (by mouse, popup or arrow keys; showCustom and
    // showLive change the entry with signals blocked).
    connect(this, &QComboBox::currentIndexChanged, this, [this](int index) {
        const int seconds = itemData(index).toInt();
        if (seconds == kCustom)
            return; // the span shown, already
        m_windowSeconds = seconds;
        if (const int custom = findData(kCustom); custom >= 0) {
            const QSignalBlocker block(this);
            removeItem(custom);
        }
        emit windowChosen(seconds);
    });
}

bool RangeBox::isCustom() const
{
    return currentData().toInt() == kCustom;
}

QString RangeBox::spanText(qint64 fromMs, qint64 toMs)
{
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(fromMs);
    const QDateTime to = QDateTime::fromMSecsSinceEpoch(toMs);
    const QString time =
        toMs - fromMs < 600'000 ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm");
    const bool oneDay = from.date() == to.date() && from.date() == QDate::currentDate();
    const QString format = oneDay ? time : QStringLiteral("d MMM ") + time;
    return from.toString(format) + QStringLiteral("–") + to.toString(format);
}

void RangeBox::showCustom(qint64 fromMs, qint64 toMs)
{
    const QSignalBlocker block(this);
    const QString text = tr("Custom: %1").arg(spanText(fromMs, toMs));
    int custom = findData(kCustom);
    if (custom < 0) {
        addItem(text, kCustom);
        custom = count() - 1;
    } else {
        setItemText(custom, text);
    }
    setCurrentIndex(custom);
}

void RangeBox::showLive()
{
    const QSignalBlocker block(this);
    if (const int custom = findData(kCustom); custom >= 0)
        removeItem(custom);
    setCurrentIndex(std::max(0, findData(m_windowSeconds)));
}

} // namespace sb
