#pragma once

// Profile files: connection profiles exported to JSON to share them or move
// them to another machine, and read back. A file never holds a secret: a
// profile says where its token comes from (the keychain, or an environment
// variable it names) and where its certificate files are, nothing more; a
// file that carries a token or key material is refused for that profile.
//
//   {"format": "switchboard-profiles", "version": 1,
//    "profiles": [{"name": "prod", "endpoint": "api.example.com:443", ...}]}
//
// Each profile lists every field of profile_fields::all() under its key, so a
// field added there is exported and imported with no change here. Reading is
// strict about what it knows (types, values, ConnectionProfile::validate)
// and says in a sentence what is wrong and where; members it does not know
// (written by a newer Switchboard) are ignored and named.

#include "client/connection_profile.h"

#include <QByteArray>
#include <QStringList>
#include <vector>

namespace sb::profile_file {

inline constexpr int kVersion = 1;
inline constexpr qsizetype kMaxBytes = 1 << 20;
inline constexpr qsizetype kMaxProfiles = 1000;

QByteArray write(const std::vector<ConnectionProfile> &profiles);

struct ReadResult
{
    // Set when the file as a whole cannot be read; then nothing is imported.
    QString error;
    std::vector<ConnectionProfile> profiles; // the usable ones, in file order
    QStringList refused;                     // one sentence per profile left out, naming it and why
    QStringList notes;                       // unknown members ignored
};
ReadResult read(const QByteArray &bytes);

// Imported profiles added to `existing`, which is never overwritten: a
// profile identical to one of the same name is skipped; a different one is
// added as "NAME (imported)" (or "(imported 2)" …).
struct MergeResult
{
    std::vector<ConnectionProfile> profiles; // existing, then the added ones
    QStringList added;                       // names as added
    QStringList renamed;                     // "\"a\" as \"a (imported)\""
    QStringList unchanged;                   // identical ones skipped
    // Added profiles whose token is in the keychain: the keychain entry
    // belongs to the exporting machine, so the token must be typed here.
    QStringList needToken;
    QString summary() const;
};
MergeResult merge(const std::vector<ConnectionProfile> &existing,
                  const std::vector<ConnectionProfile> &imported);

} // namespace sb::profile_file
