#include "client/environment.h"

namespace sb {

QString toString(Environment e)
{
    switch (e) {
    case Environment::Dev:
        return QStringLiteral("dev");
    case Environment::Staging:
        return QStringLiteral("staging");
    case Environment::Prod:
        return QStringLiteral("prod");
    }
    return {};
}

bool parseEnvironment(const QString &text, Environment *out)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("dev") || t == QLatin1String("development"))
        *out = Environment::Dev;
    else if (t == QLatin1String("staging") || t == QLatin1String("stage"))
        *out = Environment::Staging;
    else if (t == QLatin1String("prod") || t == QLatin1String("production"))
        *out = Environment::Prod;
    else
        return false;
    return true;
}

} // namespace sb
