#include "ctl/runtime.h"

#include "client/connection.h"
#include "store/cache.h"
#include "ui/audit/audit_controller.h"
#include "ui/common/action_log.h"
#include "ui/common/format.h"
#include "ui/common/notification_log.h"
#include "ui/connections/profile_resolver.h"
#include "ui/experiments/experiments_controller.h"
#include "ui/prompts/prompts_controller.h"
#include "ui/routing/routing_controller.h"
#include "ui/session.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSettings>
#include <QTextStream>
#include <QTimer>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace sb::ctl {

static volatile std::sig_atomic_t g_interrupted = 0;

bool interrupted()
{
    return g_interrupted != 0;
}

void installInterruptHandler()
{
    std::signal(SIGINT, [](int) { g_interrupted = 1; });
}

static const char *kContextKey = "ctl/context";

QString Runtime::savedContext(QSettings &settings)
{
    return settings.value(QLatin1String(kContextKey)).toString();
}

void Runtime::saveContext(QSettings &settings, const QString &name)
{
    settings.setValue(QLatin1String(kContextKey), name);
}

Runtime::Runtime(const Args &args, QObject *parent) : QObject(parent), m_args(args)
{
    m_format = isatty(STDOUT_FILENO) ? Format::Table : Format::Json;
}

Runtime::~Runtime()
{
    // Controllers and the session go before the cache finishes its queue.
    delete m_routing;
    delete m_prompts;
    delete m_experiments;
    delete m_audit;
    delete m_actions;
    delete m_notifications;
    delete m_session;
    m_cache.reset();
}

void Runtime::out(const QString &text) const
{
    const QByteArray b = text.toUtf8();
    std::fwrite(b.constData(), 1, std::size_t(b.size()), stdout);
    std::fflush(stdout);
}

void Runtime::err(const QString &text) const
{
    QByteArray b = text.toUtf8();
    if (!b.endsWith('\n'))
        b += '\n';
    std::fwrite(b.constData(), 1, std::size_t(b.size()), stderr);
    std::fflush(stderr);
}

bool Runtime::checkFormat()
{
    if (!m_args.has(QStringLiteral("output")))
        return true;
    if (parseFormat(m_args.value(QStringLiteral("output")), &m_format))
        return true;
    err(QStringLiteral("switchboard-ctl: -o must be table, json or yaml"));
    return false;
}

bool Runtime::resolveProfile(QString *why, Exit *code)
{
    QSettings settings;
    const auto profiles = profile_store::load(settings);
    QString name = m_args.value(QStringLiteral("context"));
    QString from = QStringLiteral("--context");
    if (name.isEmpty()) {
        name = qEnvironmentVariable("SWITCHBOARD_CONTEXT");
        from = QStringLiteral("$SWITCHBOARD_CONTEXT");
    }
    if (name.isEmpty()) {
        name = savedContext(settings);
        from = QStringLiteral("the saved context (switchboard-ctl context use)");
    }
    if (name.isEmpty() && profiles.size() == 1)
        name = profiles.front().name;
    if (name.isEmpty()) {
        *code = Exit::Usage;
        *why = profiles.empty() ? QStringLiteral("no context: add one with `switchboard-ctl "
                                                 "context add NAME --endpoint HOST:PORT` (or "
                                                 "in the console's profile manager)")
                                : QStringLiteral("no context chosen: pass --context NAME, set "
                                                 "SWITCHBOARD_CONTEXT or run `switchboard-ctl "
                                                 "context use NAME`");
        return false;
    }
    const ConnectionProfile *p = profile_store::find(profiles, name);
    if (!p) {
        QStringList names;
        for (const auto &x : profiles)
            names << x.name;
        *code = Exit::Usage;
        *why = QStringLiteral("no context called \"%1\" (from %2); contexts: %3")
                   .arg(name, from, names.isEmpty() ? QStringLiteral("none") : names.join(", "));
        return false;
    }
    m_profile = *p;
    return true;
}

Exit Runtime::start(int needs)
{
    QString why;
    Exit code = Exit::Failure;
    if (!resolveProfile(&why, &code)) {
        err(QStringLiteral("switchboard-ctl: ") + why);
        return code;
    }
    QString token;
    const bool tokenFromStdin = m_args.has(QStringLiteral("token-stdin"));
    if (tokenFromStdin) {
        QTextStream in(stdin);
        token = in.readAll().trimmed();
        if (token.isEmpty()) {
            err(QStringLiteral("switchboard-ctl: --token-stdin: nothing on standard input"));
            return Exit::Usage;
        }
    }
    m_cache = std::make_unique<Cache>();
    const QString cachePath = m_args.has(QStringLiteral("cache"))
                                  ? m_args.value(QStringLiteral("cache"))
                                  : Cache::defaultPath();
    m_cache->open(cachePath);
    m_session = new Session(m_cache.get());
    m_actions = new ActionLog(m_session);
    m_notifications = new NotificationLog;
    if (needs & Routing)
        m_routing = new RoutingController(m_session, m_actions, m_notifications);
    if (needs & Prompts)
        m_prompts = new PromptsController(m_session, m_actions, m_notifications);
    if (needs & Experiments)
        m_experiments = new ExperimentsController(m_session, m_actions);
    if (needs & Audit)
        m_audit = new AuditController(m_session, m_actions);
    if (m_routing && m_audit) // as the console does: changes seen on the watch reach the audit
        connect(m_routing, &RoutingController::auditEventSeen, m_audit, &AuditController::addEvent);
    connect(m_session, &Session::snapshotLoaded, this, [this] { m_snapshotLoaded = true; });
    connect(m_session->connection(), &Connection::stateChanged, this, [this](Connection::State s) {
        if (s == Connection::State::Unavailable || s == Connection::State::NotServing)
            m_everUnavailable = true;
    });

    const SessionTarget target = sessionTargetFor(m_profile, false);
    if (offline()) {
        m_session->failToConnect(m_profile.endpoint, target, QStringLiteral("offline (--offline)"));
        QElapsedTimer t;
        t.start();
        while (!m_snapshotLoaded && t.elapsed() < 30000)
            pump(10);
        if (!m_snapshotLoaded) {
            err(QStringLiteral("switchboard-ctl: could not read the cache %1").arg(cachePath));
            return Exit::Failure;
        }
        return Exit::Ok;
    }

    ConnectionProfile forResolve = m_profile;
    if (tokenFromStdin)
        forResolve.tokenSource = ConnectionProfile::TokenSource::None;
    ProfileResolver resolver;
    bool done = false;
    ChannelSpec spec;
    QString failure;
    connect(&resolver, &ProfileResolver::resolved, this, [&](const ChannelSpec &s) {
        spec = s;
        done = true;
    });
    connect(&resolver, &ProfileResolver::failed, this, [&](const QString &w) {
        failure = w;
        done = true;
    });
    resolver.resolve(forResolve);
    QElapsedTimer t;
    t.start();
    while (!done && t.elapsed() < 30000)
        pump(10);
    if (!done || !failure.isEmpty()) {
        err(QStringLiteral("switchboard-ctl: context %1: %2")
                .arg(m_profile.name,
                     done ? failure : QStringLiteral("the keychain did not answer")));
        return Exit::Failure;
    }
    if (tokenFromStdin)
        spec.token = token;
    m_session->connectTo(spec, target);
    return Exit::Ok;
}

void Runtime::shutdown()
{
    if (m_session)
        m_session->connection()->disconnectFrom();
    QCoreApplication::sendPostedEvents();
}

void Runtime::pump(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

Exit Runtime::waitFor(const std::function<bool()> &ready, const QString &what)
{
    const double seconds = m_args.has(QStringLiteral("timeout"))
                               ? m_args.value(QStringLiteral("timeout")).toDouble()
                               : 10.0;
    QElapsedTimer t;
    t.start();
    while (true) {
        if (ready())
            return Exit::Ok;
        if (offline()) {
            err(QStringLiteral("switchboard-ctl: nothing cached for %1 (%2) for %3; connect once "
                               "(console or switchboard-ctl) to fill the cache")
                    .arg(m_profile.name, m_profile.endpoint, what));
            return Exit::Failure;
        }
        const RpcCode auth = m_session->authProblemCode();
        if (auth == RpcCode::Unauthenticated) {
            err(QStringLiteral("switchboard-ctl: %1").arg(m_session->authProblem()));
            return Exit::AuthRejected;
        }
        if (auth == RpcCode::PermissionDenied) {
            err(QStringLiteral("switchboard-ctl: %1").arg(m_session->authProblem()));
            return Exit::PermissionDenied;
        }
        const bool unreachable = m_everUnavailable && !m_session->isReady();
        if (unreachable || t.elapsed() > qint64(seconds * 1000)) {
            QString detail = m_session->problem();
            while (detail.endsWith(QLatin1Char('.')))
                detail.chop(1);
            err(QStringLiteral("switchboard-ctl: cannot reach %1 (%2)%3; --offline shows the "
                               "cached state")
                    .arg(m_profile.name, m_profile.endpoint,
                         detail.isEmpty() ? QStringLiteral(": no answer for %1").arg(what)
                                          : QStringLiteral(": ") + detail));
            return Exit::Unreachable;
        }
        pump(10);
    }
}

QString Runtime::staleNote(qint64 fetchedMs) const
{
    if (!offline())
        return {};
    if (fetchedMs <= 0)
        return QStringLiteral("offline: nothing cached");
    return QStringLiteral("offline: from the cache, fetched %1 (%2)")
        .arg(formatAge(QDateTime::currentMSecsSinceEpoch() - fetchedMs), formatTime(fetchedMs));
}

void Runtime::printList(const QString &key, const QJsonArray &records,
                        const std::vector<Column> &cols, qint64 fetchedMs)
{
    const QString note = staleNote(fetchedMs);
    if (!note.isEmpty())
        err(note);
    if (m_format == Format::Table) {
        out(renderTable(records, cols));
        return;
    }
    QJsonObject o{
        {key, records},
        {"context", m_profile.name},
        {"stale", offline()},
        {"fetched_at",
         fetchedMs > 0
             ? QJsonValue(QDateTime::fromMSecsSinceEpoch(fetchedMs, Qt::UTC).toString(Qt::ISODate))
             : QJsonValue::Null}};
    out(m_format == Format::Json ? renderJson(o) : renderYaml(o));
}

bool Runtime::confirmWrite(const Change &c, const QString &impact, Exit *refused)
{
    QString summary = QStringLiteral("%1: %2 → %3").arg(c.title(), c.oldValue, c.newValue);
    if (!c.reason.isEmpty())
        summary += QStringLiteral("\nReason: %1").arg(c.reason);
    if (c.revertAfter.count() > 0)
        summary += QStringLiteral("\nReverts by itself after %1 s").arg(c.revertAfter.count());
    if (!impact.isEmpty())
        summary += QLatin1Char('\n') + impact;
    return confirm(summary, c.confirmationText(), refused);
}

bool Runtime::confirm(const QString &summary, const QString &confirmText, Exit *refused)
{
    if (m_profile.environment != Environment::Prod || m_args.has(QStringLiteral("yes")))
        return true;
    const bool tty = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
    if (!tty) {
        err(QStringLiteral("switchboard-ctl: refusing to change production context %1 without "
                           "--yes when not on a terminal (%2). Nothing was changed.")
                .arg(m_profile.name, summary.section(QLatin1Char('\n'), 0, 0)));
        *refused = Exit::Usage;
        return false;
    }
    const QString text = QStringLiteral("\nPRODUCTION context %1 (%2)\n%3\nType %4 to confirm: ")
                             .arg(m_profile.name, m_profile.endpoint, summary, confirmText);
    const QByteArray b = text.toUtf8();
    std::fwrite(b.constData(), 1, std::size_t(b.size()), stderr);
    std::fflush(stderr);
    char line[512] = {};
    const bool got = std::fgets(line, sizeof line, stdin) != nullptr;
    if (got && QString::fromUtf8(line).trimmed() == confirmText)
        return true;
    err(QStringLiteral("Not confirmed. Nothing was changed."));
    *refused = Exit::Failure;
    return false;
}

Exit Runtime::exitFor(const RpcError &e)
{
    switch (e.code) {
    case RpcCode::Unauthenticated:
        return Exit::AuthRejected;
    case RpcCode::PermissionDenied:
        return Exit::PermissionDenied;
    case RpcCode::Unavailable:
    case RpcCode::DeadlineExceeded:
        return Exit::Unreachable;
    case RpcCode::FailedPrecondition:
        return e.conflict ? Exit::Conflict : Exit::Failure;
    default:
        return Exit::Failure;
    }
}

} // namespace sb::ctl
