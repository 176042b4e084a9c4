#include "ui/connections/profile.h"

#include "ui/common/palette.h"

#include <QColor>
#include <QIcon>
#include <QPainter>
#include <QPixmap>
#include <QSettings>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

namespace sb {

QColor environmentColor(Environment e)
{
    switch (e) {
    case Environment::Prod:
        return palette::prod();
    case Environment::Staging:
        return palette::staging();
    case Environment::Dev:
        break;
    }
    return palette::dev();
}

QIcon environmentSwatch(Environment e)
{
    QPixmap pm(14, 14);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(environmentColor(e));
    p.setPen(Qt::NoPen);
    p.drawRoundedRect(QRectF(1, 1, 12, 12), 3, 3);
    return QIcon(pm);
}

namespace profile_store {

std::vector<ConnectionProfile> load(QSettings &settings)
{
    std::vector<ConnectionProfile> out;
    const int n = settings.beginReadArray(QStringLiteral("profiles"));
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        ConnectionProfile p;
        for (const auto &f : profile_fields::all()) {
            const QString key = QLatin1String(f.key);
            if (settings.contains(key))
                (void)f.set(p, settings.value(key)); // an unreadable value keeps the default
        }
        if (!p.name.isEmpty() && !find(out, p.name))
            out.push_back(p);
    }
    settings.endArray();
    return out;
}

void save(QSettings &settings, const std::vector<ConnectionProfile> &profiles)
{
    settings.remove(QStringLiteral("profiles"));
    settings.beginWriteArray(QStringLiteral("profiles"));
    int i = 0;
    for (const auto &p : profiles) {
        if (p.builtIn)
            continue;
        settings.setArrayIndex(i++);
        for (const auto &f : profile_fields::all())
            settings.setValue(QLatin1String(f.key), f.get(p));
    }
    settings.endArray();
}

namespace {
QThreadPool &writer()
{
    // Writes run one after another on one thread, so the last save wins.
    static QThreadPool pool;
    pool.setMaxThreadCount(1);
    return pool;
}
} // namespace

void waitForSaves()
{
    writer().waitForDone();
}

void saveAsync(const std::vector<ConnectionProfile> &profiles, const QString &settingsPath)
{
    (void)QtConcurrent::run(&writer(), [profiles, settingsPath] {
        std::unique_ptr<QSettings> s =
            settingsPath.isEmpty()
                ? std::make_unique<QSettings>()
                : std::make_unique<QSettings>(settingsPath, QSettings::IniFormat);
        save(*s, profiles);
        s->sync();
    });
}

const ConnectionProfile *find(const std::vector<ConnectionProfile> &profiles, const QString &name)
{
    return findProfile(profiles, name);
}

} // namespace profile_store

SessionTarget sessionTargetFor(const ConnectionProfile &p, bool alone)
{
    SessionTarget t;
    t.profileName = p.name;
    // The in-process sim keeps its rows under "sim" whatever port it gets.
    t.endpointKey =
        p.builtIn && p.name == QLatin1String("sim") ? QStringLiteral("sim") : p.endpoint.trimmed();
    t.environment = p.environment;
    t.tokenHint = p.tokenHint();
    // Borrowing the last endpoint's cache is for a lone ad-hoc window only:
    // with profiles side by side it would show one service's data as another's.
    t.borrowCache = alone && p.builtIn;
    return t;
}

} // namespace sb
