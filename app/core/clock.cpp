#include "core/clock.h"

#include <QDateTime>
#include <algorithm>
#include <atomic>
#include <chrono>

namespace sb::clock {

namespace {
using Steady = std::chrono::steady_clock;

// Written before `active` is released, read after it is acquired.
struct Replay
{
    Steady::time_point started;
    qint64 startMs = 0;
    qint64 lengthUs = 0;
    double speed = 1;
};
Replay g_replay;
std::atomic<bool> g_active{false};

qint64 elapsedUs(const Replay &r)
{
    const auto wallUs =
        std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - r.started).count();
    return std::min<qint64>(qint64(double(wallUs) * r.speed), r.lengthUs);
}
} // namespace

qint64 nowMs()
{
    if (!g_active.load(std::memory_order_acquire))
        return QDateTime::currentMSecsSinceEpoch();
    return g_replay.startMs + elapsedUs(g_replay) / 1000;
}

void startReplay(qint64 startMs, qint64 endMs, double speed)
{
    g_active.store(false, std::memory_order_release);
    g_replay.started = Steady::now();
    g_replay.startMs = startMs;
    g_replay.lengthUs = std::max<qint64>(0, endMs - startMs) * 1000;
    g_replay.speed = speed > 0 ? speed : 1;
    g_active.store(true, std::memory_order_release);
}

void stopReplay()
{
    g_active.store(false, std::memory_order_release);
}

bool isReplay()
{
    return g_active.load(std::memory_order_acquire);
}

double replaySpeed()
{
    return isReplay() ? g_replay.speed : 1.0;
}

qint64 replayElapsedUs()
{
    return isReplay() ? elapsedUs(g_replay) : 0;
}

bool replayAtEnd()
{
    return isReplay() && elapsedUs(g_replay) >= g_replay.lengthUs;
}

} // namespace sb::clock
