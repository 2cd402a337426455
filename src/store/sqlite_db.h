// The only code in Refinery that calls the sqlite3 C API: RAII handles for a
// connection and its prepared statements, and one function that turns a
// SQLite result code into a Status naming the file. Not thread-safe: the
// owner serialises access (SqliteStore holds a mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/row_io.h"

struct sqlite3;
struct sqlite3_stmt;

namespace refinery::store::sqlite {

// `state store "<file>": <what>: <sqlite message>[; <what to do>]`, with the
// StatusCode chosen from `rc` (not a database / corrupt / locked / ...).
Status ErrorStatus(sqlite3* db, int rc, std::string_view what);

// One prepared statement. Bind* errors are remembered and reported by the
// next Step(), so call sites stay linear. One made by Database::PrepareLazily
// compiles its SQL at its first Bind or Step, so a short CLI run compiles the
// few statements it uses rather than every one the store keeps; a compile
// error is reported by that Step. Move-only.
class Statement final : public RowBinder, public RowReader {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(sqlite3* db, std::string sql) : db_(db), sql_(std::move(sql)) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // `index` is 1-based. The text is copied only if SQLite needs it beyond the
  // next Reset() (SQLITE_STATIC: callers keep it alive until then).
  void BindText(int index, std::string_view value) override;
  void BindInt64(int index, int64_t value) override;

  // true: a row is available; false: done. Errors carry `what`.
  Result<bool> Step(std::string_view what);
  // Step until done, for statements that return no rows of interest.
  Status Run(std::string_view what);

  std::string ColumnText(int col) const override;  // 0-based
  int64_t ColumnInt64(int col) const override;

  // Ends the current execution and drops the bindings, releasing any read
  // lock the statement held. Always safe to call.
  void Reset();

 private:
  // Compiles sql_ when it has not been yet; false (and bind_rc_ set) when it fails.
  bool EnsurePrepared();

  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = 0;  // first failed bind, SQLITE_OK (0) if none
  sqlite3* db_ = nullptr;  // with sql_: a statement still to compile
  std::string sql_;
};

// Resets a statement on every path out of a scope, so a failed or partial
// read never leaves a read transaction open (which would stall checkpoints).
class ScopedReset {
 public:
  explicit ScopedReset(Statement* stmt) : stmt_(stmt) {}
  ~ScopedReset() { stmt_->Reset(); }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  Statement* stmt_;
};

// One connection. Move-only; closes on destruction (the last connection to
// close checkpoints and removes the -wal file).
class Database {
 public:
  // Opens or creates `path` read-write. Nothing is read from the file yet, so
  // a non-SQLite file is only detected by the first query.
  static Result<Database> Open(const std::string& path);

  Database() = default;
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return no rows (DDL, pragmas).
  Status Exec(const std::string& sql, std::string_view what);
  // Prepares `sql` for repeated use (SQLITE_PREPARE_PERSISTENT).
  Result<Statement> Prepare(std::string_view sql, std::string_view what);
  // The same, compiled on first use (see Statement).
  Statement PrepareLazily(std::string sql);
  // The single integer an aggregate or pragma query returns.
  Result<int64_t> QueryInt(const std::string& sql, std::string_view what);
  // The single text value a query returns ("" if no row).
  Result<std::string> QueryText(const std::string& sql, std::string_view what);
  Status SetBusyTimeout(int millis);
  // True while a transaction is open on this connection.
  bool InTransaction() const;

  // kPassive copies what it can without waiting for any lock; Ok even when
  // another checkpoint is running or frames remain. kRestart waits (up to the
  // busy timeout) for other checkpoints and readers, copies every frame and
  // makes the next commit start the WAL from its beginning.
  enum class CheckpointMode { kPassive, kRestart };
  Status Checkpoint(CheckpointMode mode);
  // Replaces SQLite's automatic checkpoint, which would run on the
  // committing thread, with `hook`: called after every commit on this
  // connection with the WAL's size in pages. An empty hook removes it.
  void SetWalHook(std::function<void(int wal_pages)> hook);

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_ = nullptr;
  std::string path_;
  // Heap-held so SQLite's pointer to it survives moves of the Database.
  std::unique_ptr<std::function<void(int)>> wal_hook_;
};

}  // namespace refinery::store::sqlite
