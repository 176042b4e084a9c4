#include "core/exemplar.h"

#include <QUrl>
#include <algorithm>

namespace sb {

std::vector<Exemplar> slowest(const std::vector<Exemplar> &all, qint64 fromMs, qint64 toMs,
                              double minValueMs)
{
    std::vector<Exemplar> out;
    for (const auto &e : all) {
        if (e.timeMs >= fromMs && e.timeMs < toMs && e.valueMs >= minValueMs)
            out.push_back(e);
    }
    std::sort(out.begin(), out.end(),
              [](const Exemplar &a, const Exemplar &b) { return a.valueMs > b.valueMs; });
    return out;
}

QString traceLink(const QString &urlTemplate, const QString &traceId)
{
    if (urlTemplate.isEmpty() || traceId.isEmpty())
        return {};
    QString url = urlTemplate;
    url.replace(QStringLiteral("{trace_id}"),
                QString::fromLatin1(QUrl::toPercentEncoding(traceId)));
    return url;
}

} // namespace sb
