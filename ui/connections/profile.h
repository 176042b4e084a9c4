#pragma once

// Connection profiles in the console: their colour, the session target a
// profile makes, and the list kept in QSettings (profile_store). The type
// itself is client/connection_profile.h.

#include "client/connection_profile.h"
#include "ui/session.h"

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <vector>

class QColor;
class QIcon;
class QSettings;

namespace sb {

QColor environmentColor(Environment e);
// A small rounded square of that colour, as lists of profiles show it.
QIcon environmentSwatch(Environment e);

// What a session connected through `p` is: its name, the key its cache rows
// are kept under (the endpoint; "sim" for the console's in-process sim),
// its environment and token advice. `alone`: the only window open, which
// may borrow the last endpoint's cache. switchboard-ctl uses the same keys,
// so it reads what the console cached.
SessionTarget sessionTargetFor(const ConnectionProfile &p, bool alone);

// Profiles in QSettings ("profiles/<n>/…"), without secrets. load/save touch
// the settings file: the console calls load before its window shows and
// saves through saveAsync, off the GUI thread.
namespace profile_store {
std::vector<ConnectionProfile> load(QSettings &settings);
void save(QSettings &settings, const std::vector<ConnectionProfile> &profiles);
// Writes with a QSettings of its own on a worker thread. settingsPath empty:
// the application's default settings file.
void saveAsync(const std::vector<ConnectionProfile> &profiles, const QString &settingsPath = {});
// Blocks until every saveAsync has written (at exit, after the window closed).
void waitForSaves();
const ConnectionProfile *find(const std::vector<ConnectionProfile> &profiles, const QString &name);
} // namespace profile_store

} // namespace sb

Q_DECLARE_METATYPE(std::vector<sb::ConnectionProfile>)
