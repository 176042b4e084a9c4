#pragma once

// The console's recording and replay flags: --record FILE writes every
// response of this session's services to FILE (app/replay/recorder.h);
// --replay FILE [--replay-speed 1|10] serves FILE from an in-process replay
// server (app/replay/replay_server.h) that the console connects to as to any
// endpoint, with the console's clock set to the recording's time. A replay
// keeps its cache in a temporary folder, so it neither mixes with nor borrows
// from the user's cache and two replays start from the same state.

#include "replay/recorder.h"
#include "replay/replay_server.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QTemporaryDir>
#include <memory>

namespace sb {

struct ReplaySession
{
    std::unique_ptr<replay::Recorder> recorder;
    std::unique_ptr<replay::ReplayServer> server; // set when replaying
    std::unique_ptr<QTemporaryDir> cacheDir;
    QString address;   // the replay server's
    QString cachePath; // the replay's own cache
};

class ReplayOptions
{
public:
    ReplayOptions();
    void addTo(QCommandLineParser &parser) const;
    bool replaying(const QCommandLineParser &p) const { return p.isSet(m_replay); }

    // Starts what the flags ask for (nothing without them). False with why.
    bool start(const QCommandLineParser &p, ReplaySession *out, QString *error) const;

private:
    QCommandLineOption m_record, m_replay, m_speed;
};

} // namespace sb
