#include "client/resuming_watch.h"

#include "client/connection.h"
#include "client/watch_link.h"

namespace sb {

ResumingWatch::ResumingWatch(Connection *connection, QObject *parent)
    : QObject(parent), m_connection(connection), m_guard(std::make_shared<PostGuard>(this)),
      m_active(std::make_shared<detail::ActiveCall>())
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &ResumingWatch::startCall);
}

ResumingWatch::~ResumingWatch()
{
    m_guard->detach();
    m_active->cancel();
}

void ResumingWatch::start()
{
    if (m_running)
        stop();
    m_running = true;
    m_backoff.reset();
    ++m_generation;
    startCall();
}

void ResumingWatch::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_watching = false;
    m_retryTimer.stop();
    ++m_generation; // the cancelled call's events and end are now stale
    m_active->cancel();
    RpcError err;
    err.code = RpcCode::Cancelled;
    err.message = QStringLiteral("stopped by the user");
    emit finished(err);
}

void ResumingWatch::startCall()
{
    if (!m_running)
        return;
    auto channel = m_connection->channel();
    if (!channel) {
        RpcError err;
        err.code = RpcCode::Unavailable;
        err.message = QStringLiteral("not connected");
        onCallDone(err, m_generation);
        return;
    }
    startReactor(channel, WatchLink{m_guard, m_active, this, m_generation});
}

void ResumingWatch::onAnswered()
{
    m_backoff.reset();
    m_watching = true;
}

void ResumingWatch::onCallDone(const RpcError &error, quint64 generation)
{
    if (generation != m_generation || !m_running)
        return;
    m_watching = false;
    if (error.permanent()) {
        m_running = false;
        emit finished(error);
        return;
    }
    m_retryTimer.start(int(m_backoff.next().count()));
}

} // namespace sb
