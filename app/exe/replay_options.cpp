#include "replay_options.h"

#include "core/clock.h"
#include "replay/recording_file.h"

#include <QFile>
#include <cstdio>

namespace sb {

ReplayOptions::ReplayOptions()
    : m_record(QStringLiteral("record"),
               QStringLiteral("Record this session's streams and answers to FILE, for --replay "
                              "(tokens are not recorded)."),
               QStringLiteral("FILE")),
      m_replay(QStringLiteral("replay"),
               QStringLiteral("Replay a recording made with --record, with no network: the "
                              "window is marked REPLAY and its clock is the recording's."),
               QStringLiteral("FILE")),
      m_speed(QStringLiteral("replay-speed"),
              QStringLiteral("How fast --replay runs: 1 (as recorded, the default) or 10."),
              QStringLiteral("n"), QStringLiteral("1"))
{}

void ReplayOptions::addTo(QCommandLineParser &parser) const
{
    parser.addOptions({m_record, m_replay, m_speed});
}

bool ReplayOptions::start(const QCommandLineParser &p, ReplaySession *out, QString *error) const
{
    if (p.isSet(m_record) && p.isSet(m_replay)) {
        *error = QStringLiteral("--record and --replay exclude each other");
        return false;
    }
    if (p.isSet(m_speed) && !p.isSet(m_replay)) {
        *error = QStringLiteral("--replay-speed needs --replay");
        return false;
    }
    if (p.isSet(m_record)) {
        out->recorder = std::make_unique<replay::Recorder>();
        QString why;
        if (!out->recorder->start(p.value(m_record), &why)) {
            *error = QStringLiteral("--record: %1").arg(why);
            return false;
        }
        std::printf("switchboard: recording to %s\n", qPrintable(p.value(m_record)));
        std::fflush(stdout);
        return true;
    }
    if (!p.isSet(m_replay))
        return true;
    bool ok = false;
    const double speed = p.value(m_speed).toDouble(&ok);
    if (!ok || speed < 0.25 || speed > 100) {
        *error = QStringLiteral("--replay-speed must be a number from 0.25 to 100, e.g. 1 or 10");
        return false;
    }
    // Read once, before any window: a recording of minutes is a few MB.
    QFile f(p.value(m_replay));
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("--replay: cannot read %1: %2").arg(f.fileName(), f.errorString());
        return false;
    }
    const QByteArray bytes = f.readAll();
    replay::DecodeResult d = replay::decodeRecording(bytes.toStdString());
    if (!d.recording) {
        *error =
            QStringLiteral("--replay: %1: %2").arg(f.fileName(), QString::fromStdString(d.error));
        return false;
    }
    if (d.recording->truncated)
        std::fprintf(stderr,
                     "switchboard: %s ends mid-message (cut off while recording); "
                     "replaying what came before\n",
                     qPrintable(f.fileName()));
    const qint64 startMs = d.recording->startedMs;
    const qint64 endMs = startMs + (d.recording->lengthUs() + 999) / 1000;
    out->cacheDir = std::make_unique<QTemporaryDir>();
    if (!out->cacheDir->isValid()) {
        *error = QStringLiteral("--replay: cannot make a temporary folder for its cache");
        return false;
    }
    out->cachePath = out->cacheDir->filePath(QStringLiteral("replay.sqlite"));
    clock::startReplay(startMs, endMs, speed);
    out->server = std::make_unique<replay::ReplayServer>(std::move(*d.recording));
    std::string why;
    if (!out->server->start(&why)) {
        *error = QStringLiteral("--replay: %1").arg(QString::fromStdString(why));
        return false;
    }
    out->address = QString::fromStdString(out->server->address());
    std::printf("switchboard: replaying %s (%.3g s at %g×)\n", qPrintable(f.fileName()),
                double(endMs - startMs) / 1000, speed);
    std::fflush(stdout);
    return true;
}

} // namespace sb
