#pragma once

// The console's notion of "now". Live, it is the wall clock. In a replay
// (--replay) it is the recording's time: it starts at the moment the
// recording began, runs at the replay speed (1× or 10×) and stops at the
// recording's end, so two replays of one file show the same screens at the
// same replay time. Everything that draws or ages against "now" (charts,
// freshness, validation of sample times) asks here. Thread-safe: set once,
// before the windows open; read from any thread.

#include <QtGlobal>

namespace sb::clock {

// Milliseconds since the epoch, as the console sees them.
qint64 nowMs();

// Switches to replay time: nowMs() is startMs at the call, advances `speed`
// times as fast as the wall clock and stays at endMs once there.
void startReplay(qint64 startMs, qint64 endMs, double speed);
// Back to the wall clock (tests).
void stopReplay();
bool isReplay();
double replaySpeed();
// Microseconds of recorded time since the replay started (0 live), clamped
// to the recording's length: what the replay server paces its messages by.
qint64 replayElapsedUs();
// True once replay time has reached the recording's end.
bool replayAtEnd();

} // namespace sb::clock
