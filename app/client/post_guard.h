#pragma once

// PostGuard: lets gRPC's threads post work to a QObject's thread without racing
// its destruction. The owner calls detach() in its destructor; posts after that
// are dropped, and posts already queued die with the object's event queue.
// Client-layer internal.

#include <QMetaObject>
#include <QObject>
#include <mutex>
#include <utility>

namespace sb {

class PostGuard
{
public:
    explicit PostGuard(QObject *target) : m_target(target) {}

    void detach()
    {
        std::lock_guard lock(m_mutex);
        m_target = nullptr;
    }

    template <typename F> bool post(F &&f)
    {
        std::lock_guard lock(m_mutex);
        if (!m_target)
            return false;
        QMetaObject::invokeMethod(m_target, std::forward<F>(f), Qt::QueuedConnection);
        return true;
    }

private:
    std::mutex m_mutex;
    QObject *m_target;
};

} // namespace sb
