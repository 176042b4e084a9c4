#pragma once

// Thin RAII layer over the SQLite C API for the store's worker thread: one
// connection, a cache of prepared statements reused across jobs (preparing is
// a measurable part of a small write), and errors turned into SqliteError
// exceptions carrying the result code so the caller can roll back and word a
// message. Not thread-safe by design: the connection belongs to one thread.

#include <QByteArray>
#include <QString>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace sb::store {

class SqliteError : public std::runtime_error
{
public:
    SqliteError(int code, const std::string &message);
    int code() const { return m_code; } // primary result code (SQLITE_FULL, ...)

private:
    int m_code;
};

class Statement
{
public:
    Statement() = default;
    Statement(sqlite3 *db, sqlite3_stmt *stmt) : m_db(db), m_stmt(stmt) {}
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&other) noexcept;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    ~Statement();

    // Binding indexes are 1-based, as in SQLite.
    Statement &bind(int index, qint64 value);
    Statement &bind(int index, double value);
    Statement &bind(int index, const QString &value);
    Statement &bind(int index, const QByteArray &value);
    Statement &bindNull(int index);

    // Returns true while a row is available; throws on error.
    bool step();
    // Runs to completion (INSERT/UPDATE/DELETE) and rewinds, keeping the
    // bindings so a batch only rebinds what changes per row.
    void exec();
    // Resets and clears bindings so the cached statement can be reused.
    void reset();

    qint64 int64(int column) const;
    double real(int column) const;
    QString text(int column) const;
    QByteArray blob(int column) const;
    bool isNull(int column) const;

private:
    void check(int rc) const;

    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
};

class Database
{
public:
    Database() = default;
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;
    ~Database();

    // Opens (creating if missing) read-write. Throws SqliteError.
    void open(const QString &path);
    void close();
    bool isOpen() const { return m_db != nullptr; }
    sqlite3 *handle() const { return m_db; }

    // Runs one or more statements without results.
    void exec(const char *sql);
    // A cached prepared statement, reset and ready to bind. The reference stays
    // valid until close(); do not hold it across another prepare() of the same SQL.
    Statement &prepare(const char *sql);
    // A fresh statement (for one-off SQL such as PRAGMAs with variable text).
    Statement prepareOnce(const std::string &sql);
    // Convenience for PRAGMAs and counts: first column of the first row.
    qint64 queryInt(const std::string &sql);

    void throwLast(int rc) const;

private:
    sqlite3 *m_db = nullptr;
    std::unordered_map<const char *, std::unique_ptr<Statement>> m_cache;
};

// An IMMEDIATE transaction that rolls back unless committed: taking the write
// lock up front avoids the deadlock-prone read-to-write upgrade when another
// console shares the file.
class Transaction
{
public:
    explicit Transaction(Database &db);
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    ~Transaction();
    void commit();

private:
    Database &m_db;
    bool m_done = false;
};

// Human wording for a result code, for messages shown in the console.
QString describeSqliteCode(int code);

} // namespace sb::store
