#include "store/sqlite_db.h"

#include <sqlite3.h>

namespace sb::store {

SqliteError::SqliteError(int code, const std::string &message)
    : std::runtime_error(message), m_code(code & 0xff)
{}

// --- Statement --------------------------------------------------------------

Statement::Statement(Statement &&other) noexcept : m_db(other.m_db), m_stmt(other.m_stmt)
{
    other.m_stmt = nullptr;
}

Statement &Statement::operator=(Statement &&other) noexcept
{
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_db = other.m_db;
        m_stmt = other.m_stmt;
        other.m_stmt = nullptr;
    }
    return *this;
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

void Statement::check(int rc) const
{
    if (rc != SQLITE_OK)
        throw SqliteError(rc, sqlite3_errmsg(m_db));
}

Statement &Statement::bind(int index, qint64 value)
{
    check(sqlite3_bind_int64(m_stmt, index, value));
    return *this;
}

Statement &Statement::bind(int index, double value)
{
    check(sqlite3_bind_double(m_stmt, index, value));
    return *this;
}

Statement &Statement::bind(int index, const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    // Never bind a null pointer: SQLite would store NULL, and the NOT NULL
    // columns would reject an empty string.
    check(sqlite3_bind_text(m_stmt, index, utf8.isNull() ? "" : utf8.constData(), int(utf8.size()),
                            SQLITE_TRANSIENT));
    return *this;
}

Statement &Statement::bind(int index, const QByteArray &value)
{
    check(sqlite3_bind_blob(m_stmt, index, value.isNull() ? "" : value.constData(),
                            int(value.size()), SQLITE_TRANSIENT));
    return *this;
}

Statement &Statement::bindNull(int index)
{
    check(sqlite3_bind_null(m_stmt, index));
    return *this;
}

bool Statement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    // Reset so the statement is reusable, and report the step's own error.
    const std::string message = sqlite3_errmsg(m_db);
    sqlite3_reset(m_stmt);
    throw SqliteError(rc, message);
}

void Statement::exec()
{
    while (step()) {
    }
    sqlite3_reset(m_stmt);
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

qint64 Statement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

QString Statement::text(int column) const
{
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    return QString::fromUtf8(data, sqlite3_column_bytes(m_stmt, column));
}

QByteArray Statement::blob(int column) const
{
    const auto *data = static_cast<const char *>(sqlite3_column_blob(m_stmt, column));
    return QByteArray(data, sqlite3_column_bytes(m_stmt, column));
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

// --- Database ---------------------------------------------------------------

Database::~Database()
{
    close();
}

void Database::open(const QString &path)
{
    close();
    const QByteArray file = path.toUtf8();
    sqlite3 *db = nullptr;
    // NOMUTEX: the connection never leaves the worker thread.
    const int rc =
        sqlite3_open_v2(file.constData(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close_v2(db);
        throw SqliteError(rc, message);
    }
    m_db = db;
    sqlite3_extended_result_codes(m_db, 0);
}

void Database::close()
{
    m_cache.clear(); // statements must be finalized before the connection closes
    if (m_db) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
}

void Database::throwLast(int rc) const
{
    throw SqliteError(rc, m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc));
}

void Database::exec(const char *sql)
{
    char *error = nullptr;
    const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        const std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throw SqliteError(rc, message);
    }
}

Statement &Database::prepare(const char *sql)
{
    auto it = m_cache.find(sql);
    if (it != m_cache.end()) {
        it->second->reset();
        return *it->second;
    }
    sqlite3_stmt *stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK)
        throwLast(rc);
    auto owned = std::make_unique<Statement>(m_db, stmt);
    Statement &ref = *owned;
    m_cache.emplace(sql, std::move(owned));
    return ref;
}

Statement Database::prepareOnce(const std::string &sql)
{
    sqlite3_stmt *stmt = nullptr;
    const int rc = sqlite3_prepare_v2(m_db, sql.c_str(), int(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK)
        throwLast(rc);
    return Statement(m_db, stmt);
}

qint64 Database::queryInt(const std::string &sql)
{
    Statement stmt = prepareOnce(sql);
    return stmt.step() ? stmt.int64(0) : 0;
}

// --- Transaction ------------------------------------------------------------

Transaction::Transaction(Database &db) : m_db(db)
{
    m_db.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    if (!m_done && sqlite3_get_autocommit(m_db.handle()) == 0) {
        // Errors here mean SQLite already rolled back on its own (e.g. after
        // SQLITE_FULL in some cases); nothing else to undo.
        sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void Transaction::commit()
{
    m_db.exec("COMMIT");
    m_done = true;
}

QString describeSqliteCode(int code)
{
    switch (code & 0xff) {
    case SQLITE_FULL:
        return QStringLiteral("the disk or the cache's size limit is full");
    case SQLITE_READONLY:
        return QStringLiteral("the cache file is read-only");
    case SQLITE_CANTOPEN:
        return QStringLiteral("the cache file cannot be opened (check the folder's permissions)");
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return QStringLiteral("permission denied");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return QStringLiteral("the cache is locked by another program");
    case SQLITE_IOERR:
        return QStringLiteral("a disk I/O error occurred");
    case SQLITE_CORRUPT:
        return QStringLiteral("the cache file is damaged; delete it and it will be rebuilt");
    case SQLITE_NOTADB:
        return QStringLiteral("the file is not a SQLite database");
    case SQLITE_NOMEM:
        return QStringLiteral("out of memory");
    default:
        return QString::fromUtf8(sqlite3_errstr(code));
    }
}

} // namespace sb::store
