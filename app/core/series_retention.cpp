#include "core/series_retention.h"

#include <QRegularExpression>
#include <QSettings>
#include <QStringList>

namespace sb {

namespace {

const QString kKey = QStringLiteral("history/retention");
constexpr qint64 kMiB = 1LL << 20;

std::optional<qint64> durationMs(const QString &part)
{
    static const QRegularExpression re(QStringLiteral("^(\\d{1,6})([smhd])$"));
    const auto m = re.match(part);
    if (!m.hasMatch())
        return std::nullopt;
    const qint64 n = m.captured(1).toLongLong();
    const QChar unit = m.captured(2).front();
    const qint64 per = unit == u's'   ? 1000
                       : unit == u'm' ? 60'000
                       : unit == u'h' ? 3'600'000
                                      : SeriesRetention::kDayMs;
    return n * per;
}

std::optional<qint64> bytes(const QString &part)
{
    if (part == QStringLiteral("0"))
        return 0;
    static const QRegularExpression re(QStringLiteral("^(\\d{1,7})(MiB|GiB)$"),
                                       QRegularExpression::CaseInsensitiveOption);
    const auto m = re.match(part);
    if (!m.hasMatch())
        return std::nullopt;
    const qint64 n = m.captured(1).toLongLong();
    return n * (m.captured(2).compare(QStringLiteral("GiB"), Qt::CaseInsensitive) == 0 ? 1024 * kMiB
                                                                                       : kMiB);
}

QString durationText(qint64 ms)
{
    if (ms % SeriesRetention::kDayMs == 0)
        return QStringLiteral("%1d").arg(ms / SeriesRetention::kDayMs);
    if (ms % 3'600'000 == 0)
        return QStringLiteral("%1h").arg(ms / 3'600'000);
    if (ms % 60'000 == 0)
        return QStringLiteral("%1m").arg(ms / 60'000);
    return QStringLiteral("%1s").arg(ms / 1000);
}

} // namespace

std::optional<SeriesRetention> parseRetention(const QString &spec, QString *error)
{
    const QStringList parts = spec.trimmed().split(QLatin1Char(','));
    auto fail = [&](const QString &why) -> std::optional<SeriesRetention> {
        if (error)
            *error = QStringLiteral("History retention \"%1\": %2. Say it as SECONDS,MINUTES,CAP "
                                    "or SECONDS,MINUTES,CAP,SKETCHES, e.g. 7d,90d,2GiB or "
                                    "7d,90d,2GiB,1d (s, m, h, d; MiB or GiB; 0 for no cap; "
                                    "SKETCHES: how long the per-second sketches stay, 1d unless "
                                    "said, 0 for as long as the seconds).")
                         .arg(spec, why);
        return std::nullopt;
    };
    if (parts.size() != 3 && parts.size() != 4)
        return fail(QStringLiteral("three or four parts are needed"));
    const auto seconds = durationMs(parts[0].trimmed());
    const auto minutes = durationMs(parts[1].trimmed());
    const auto cap = bytes(parts[2].trimmed());
    std::optional<qint64> sketches = SeriesRetention{}.sketchSecondsMs;
    if (parts.size() == 4)
        sketches = parts[3].trimmed() == QStringLiteral("0") ? 0 : durationMs(parts[3].trimmed());
    if (!seconds || !minutes || !sketches)
        return fail(QStringLiteral("a duration is not a number with s, m, h or d"));
    if (!cap)
        return fail(QStringLiteral("the cap is not a number of MiB or GiB"));
    if (*seconds < 60'000)
        return fail(QStringLiteral("seconds must be kept at least a minute"));
    if (*minutes < *seconds)
        return fail(QStringLiteral("minutes must be kept at least as long as seconds"));
    if (*cap != 0 && *cap < 16 * kMiB)
        return fail(QStringLiteral("a cap under 16 MiB would hold almost nothing"));
    if (*sketches != 0 && *sketches < 60'000)
        return fail(QStringLiteral("per-second sketches must be kept at least a minute"));
    SeriesRetention r;
    r.secondsMs = *seconds;
    r.minutesMs = *minutes;
    r.maxBytes = *cap;
    // Kept as long as the seconds or longer: never dropped before their rows go.
    r.sketchSecondsMs = *sketches >= *seconds ? 0 : *sketches;
    return r;
}

QString retentionSpec(const SeriesRetention &r)
{
    QString cap = QStringLiteral("0");
    if (r.maxBytes > 0)
        cap = r.maxBytes % (1024 * kMiB) == 0
                  ? QStringLiteral("%1GiB").arg(r.maxBytes / (1024 * kMiB))
                  : QStringLiteral("%1MiB").arg(r.maxBytes / kMiB);
    QString spec =
        QStringLiteral("%1,%2,%3").arg(durationText(r.secondsMs), durationText(r.minutesMs), cap);
    // The sketches' part only when it is not the default (1 day).
    if (r.sketchSecondsMs <= 0 || r.sketchSecondsMs >= r.secondsMs)
        spec += QStringLiteral(",0");
    else if (r.sketchSecondsMs != SeriesRetention{}.sketchSecondsMs)
        spec += QLatin1Char(',') + durationText(r.sketchSecondsMs);
    return spec;
}

SeriesRetention loadRetention(QSettings &settings)
{
    const QString saved = settings.value(kKey).toString();
    if (saved.isEmpty())
        return {};
    return parseRetention(saved, nullptr).value_or(SeriesRetention{});
}

void saveRetention(QSettings &settings, const SeriesRetention &retention)
{
    settings.setValue(kKey, retentionSpec(retention));
}

} // namespace sb
