#pragma once

// RangeBox: the latency page's range box. It offers the live windows ("Last 5
// minutes" … "Last 24 hours") and, while the chart is not following live data
// (dragged, zoomed, scrolled back or paused), says what the chart shows
// instead: a "Custom: 02:03–04:10" entry, selected until the user picks a
// live window or presses Live, which brings the last live window back.

#include <QComboBox>

namespace sb {

class RangeBox : public QComboBox
{
    Q_OBJECT
public:
    explicit RangeBox(QWidget *parent = nullptr);

    // The live window chosen last, in seconds (also while a custom span shows).
    int windowSeconds() const { return m_windowSeconds; }
    // Shows the span the chart shows (ms since the epoch) as the current entry.
    void showCustom(qint64 fromMs, qint64 toMs);
    // Back to the live window chosen last.
    void showLive();
    bool isCustom() const;
    // "02:03–04:10" (seconds for spans under 10 minutes, dates across days).
    static QString spanText(qint64 fromMs, qint64 toMs);

signals:
    // The user picked a live window.
    void windowChosen(int seconds);

private:
    int m_windowSeconds = 300;
};

} // namespace sb
