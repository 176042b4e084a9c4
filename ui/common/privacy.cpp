#include "ui/common/privacy.h"

#include <QMutex>
#include <QRegularExpression>
#include <QStringList>
#include <algorithm>
#include <atomic>

namespace sb::privacy {

namespace {

std::atomic<bool> g_enabled{false};

struct Known
{
    QMutex mutex;
    QStringList items; // longest first, so "host:port" goes before "host"
};

Known &known()
{
    static Known k;
    return k;
}

void addKnown(const QString &item)
{
    // Short fragments ("a", "1") would eat ordinary words.
    if (item.size() < 3)
        return;
    Known &k = known();
    QMutexLocker lock(&k.mutex);
    if (k.items.contains(item))
        return;
    k.items << item;
    std::sort(k.items.begin(), k.items.end(),
              [](const QString &a, const QString &b) { return a.size() > b.size(); });
}

const QList<QRegularExpression> &patterns()
{
    static const QList<QRegularExpression> list = [] {
        const auto ci = QRegularExpression::CaseInsensitiveOption;
        return QList<QRegularExpression>{
            // Bearer tokens: the word stays, the token goes.
            QRegularExpression(QStringLiteral(R"((?<=bearer\s)\s*[A-Za-z0-9._~+/=-]+)"), ci),
            // UUID-like request ids.
            QRegularExpression(QStringLiteral(R"(\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-)"
                                              R"([0-9a-f]{4}-[0-9a-f]{12}\b)"),
                               ci),
            // Bracketed IPv6 with an optional port: [::1]:50051.
            QRegularExpression(QStringLiteral(R"(\[[0-9a-f:.%]+\](:\d{1,5})?)"), ci),
            // Full IPv6, and IPv6 with a "::" (not clock times: those have no "::").
            QRegularExpression(
                QStringLiteral(R"((?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![\w:]))"), ci),
            QRegularExpression(QStringLiteral(R"((?<![\w:])(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?)"
                                              R"(::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?)"
                                              R"((?![\w:]))"),
                               ci),
            // IPv4 with an optional port.
            QRegularExpression(QStringLiteral(R"(\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b)")),
            // host:port with a dotted host name or localhost.
            QRegularExpression(QStringLiteral(R"(\b(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+))"
                                              R"(:\d{1,5}\b)"),
                               ci),
        };
    }();
    return list;
}

} // namespace

bool enabled()
{
    return g_enabled.load();
}

void setEnabled(bool on)
{
    if (g_enabled.exchange(on) != on)
        emit notifier()->changed(on);
}

Notifier *notifier()
{
    static Notifier n;
    return &n;
}

void addEndpoint(const QString &endpoint)
{
    QString e = endpoint.trimmed();
    // "dns:///host:port", "ipv4:host:port", "unix:/path": what follows the scheme.
    static const QRegularExpression scheme(QStringLiteral(R"(^[a-z0-9+]+:(//)?/?(?=[^\d]))"));
    if (!e.startsWith(QLatin1Char('[')))
        e.remove(scheme);
    if (e.isEmpty())
        return;
    addKnown(endpoint.trimmed());
    addKnown(e);
    QString host = e;
    if (host.startsWith(QLatin1Char('['))) {
        host = host.mid(1, host.indexOf(QLatin1Char(']')) - 1);
    } else if (host.count(QLatin1Char(':')) == 1) {
        host = host.left(host.indexOf(QLatin1Char(':')));
    }
    addKnown(host);
}

void addSecret(const QString &secret)
{
    addKnown(secret);
}

QString maskAlways(const QString &text)
{
    if (text.isEmpty())
        return text;
    QString out = text;
    {
        Known &k = known();
        QMutexLocker lock(&k.mutex);
        for (const QString &item : std::as_const(k.items))
            out.replace(item, kPlaceholder.toString(), Qt::CaseInsensitive);
    }
    for (const QRegularExpression &re : patterns())
        out.replace(re, kPlaceholder.toString());
    return out;
}

QString masked(const QString &text)
{
    return enabled() ? maskAlways(text) : text;
}

} // namespace sb::privacy
