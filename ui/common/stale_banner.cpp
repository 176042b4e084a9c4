#include "ui/common/stale_banner.h"

#include "core/clock.h"
#include "ui/common/format.h"
#include "ui/common/privacy.h"

#include <QDateTime>

namespace sb {

StaleBanner::StaleBanner(QWidget *parent) : QLabel(parent)
{
    setObjectName(QStringLiteral("staleBanner"));
    setWordWrap(true);
    setMargin(6);
    setStyleSheet(QStringLiteral("QLabel#staleBanner { background: #fff4ce; color: #5c4400;"
                                 " border: 1px solid #e6c75c; border-radius: 3px; }"));
    hide();
}

void StaleBanner::update(bool live, qint64 fetchedMs, const QString &reason,
                         const QString &cachedFrom)
{
    if (live) {
        hide();
        return;
    }
    const QString why =
        privacy::masked(reason.isEmpty() ? tr("the service is not reachable") : reason);
    if (fetchedMs <= 0) {
        setText(tr("<b>No data yet.</b> Nothing is cached for this endpoint, and it is not live: "
                   "%1.")
                    .arg(why.toHtmlEscaped()));
    } else {
        const QString when =
            tr("%1 (%2)").arg(formatAge(clock::nowMs() - fetchedMs), formatTime(fetchedMs));
        const QString what =
            cachedFrom.isEmpty()
                ? tr("<b>Stale:</b> showing data cached %1.").arg(when)
                : tr("<b>Stale:</b> showing data cached %1 from <b>%2</b>, the last endpoint "
                     "seen; nothing is cached for this one.")
                      .arg(when, privacy::masked(cachedFrom).toHtmlEscaped());
        setText(tr("%1 Not live: %2. Changes need a connection.").arg(what, why.toHtmlEscaped()));
    }
    show();
}

} // namespace sb
