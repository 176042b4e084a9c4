#pragma once

// The cache's schema and its migrations. The file's version lives in
// PRAGMA user_version; each migration runs in one IMMEDIATE transaction that
// also bumps user_version, so a crash mid-migration leaves the file at the old
// version with none of the new one's changes. A file stamped newer than this
// build, or belonging to another application, is refused before anything is
// written to it.

#include "store/sqlite_db.h"

#include <QString>
#include <span>
#include <stdexcept>

namespace sb::store {

// PRAGMA application_id stamped on our files ("SBCH"); 0 (plain SQLite) is accepted.
inline constexpr qint64 kApplicationId = 0x53424348;

struct Migration
{
    int toVersion;   // user_version after this step; steps are in increasing order
    const char *sql; // may hold several statements
};

std::span<const Migration> migrations();
int currentSchemaVersion();

// A refusal a user can act on (wrong file, newer version), already worded.
class SchemaError : public std::runtime_error
{
public:
    explicit SchemaError(const QString &message)
        : std::runtime_error(message.toStdString()), m_message(message)
    {}
    const QString &message() const { return m_message; }

private:
    QString m_message;
};

// Checks the freshly opened file is ours and not newer, then sets WAL and
// synchronous=NORMAL and applies the pending migrations from `steps`.
// Throws SchemaError or SqliteError.
void prepareDatabase(Database &db, std::span<const Migration> steps = migrations());

} // namespace sb::store
