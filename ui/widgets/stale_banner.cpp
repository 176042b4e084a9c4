#include "ui/widgets/stale_banner.h"

#include "ui/models/prompt_list_model.h"

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

void StaleBanner::update(bool live, qint64 fetchedMs, const QString &connectionDetail,
                         const QString &cachedFrom)
{
    if (live) {
        hide();
        return;
    }
    const QString why =
        connectionDetail.isEmpty() ? tr("the service is not reachable") : connectionDetail;
    if (fetchedMs <= 0) {
        setText(tr("<b>No data yet.</b> Nothing cached for this endpoint and %1.").arg(why));
    } else {
        const qint64 age = QDateTime::currentMSecsSinceEpoch() - fetchedMs;
        const QString source =
            cachedFrom.isEmpty()
                ? QString()
                : tr(" of <b>%1</b>, the last endpoint seen (nothing is cached for this one)")
                      .arg(cachedFrom.toHtmlEscaped());
        setText(tr("<b>Stale:</b> showing cached data%1 from %2 (%3). Not live: %4. "
                   "Changes need a connection.")
                    .arg(source, formatAge(age), formatTime(fetchedMs), why.toHtmlEscaped()));
    }
    show();
}

} // namespace sb
