#include "store/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace refinery::store::sqlite {
namespace {

std::string FileName(sqlite3* db) {
  const char* name = db == nullptr ? nullptr : sqlite3_db_filename(db, "main");
  return name == nullptr ? std::string("?") : std::string(name);
}

// The user-facing hint for failures a user can act on.
const char* Advice(int primary_rc) {
  switch (primary_rc) {
    case SQLITE_NOTADB:
      return "; the file is not a SQLite database: point Refinery at another path or move the file aside";
    case SQLITE_CORRUPT:
      return "; the state store is damaged: stop Refinery, move the file (and its -wal/-shm) aside "
             "and restore a backup";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "; another process held the store longer than the busy timeout";
    case SQLITE_FULL:
      return "; free disk space and retry";
    case SQLITE_CANTOPEN:
      return "; check that the directory exists and is writable";
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return "; check the file's permissions";
    default:
      return "";
  }
}

StatusCode CodeFor(int primary_rc) {
  switch (primary_rc) {
    case SQLITE_NOTADB:
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
      return StatusCode::kInvalidArgument;
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
    case SQLITE_ERROR:  // SQL text we wrote is wrong, or the schema is not ours
      return StatusCode::kInternal;
    default:
      return StatusCode::kIoError;
  }
}

Status ErrorForFile(const std::string& file, sqlite3* db, int rc, std::string_view what) {
  const int primary = rc & 0xff;
  // sqlite3_errmsg describes the connection's last error, which is `rc` only
  // when `rc` came from that connection; bind errors use errstr instead.
  const bool same = db != nullptr && (sqlite3_extended_errcode(db) & 0xff) == primary;
  const char* detail = same ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message = "state store \"" + file + "\": " + std::string(what) + ": " + detail;
  message += Advice(primary);
  return Status(CodeFor(primary), "", std::move(message));
}

}  // namespace

Status ErrorStatus(sqlite3* db, int rc, std::string_view what) {
  return ErrorForFile(FileName(db), db, rc, what);
}

// ---- Statement ----

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      bind_rc_(other.bind_rc_),
      db_(std::exchange(other.db_, nullptr)),
      sql_(std::move(other.sql_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_rc_ = other.bind_rc_;
    db_ = std::exchange(other.db_, nullptr);
    sql_ = std::move(other.sql_);
  }
  return *this;
}

bool Statement::EnsurePrepared() {
  if (stmt_ != nullptr) return true;
  if (db_ == nullptr) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = SQLITE_MISUSE;
    return false;
  }
  const int rc = sqlite3_prepare_v3(db_, sql_.data(), static_cast<int>(sql_.size()), SQLITE_PREPARE_PERSISTENT,
                                    &stmt_, nullptr);
  if (rc == SQLITE_OK) return true;
  sqlite3_finalize(stmt_);
  stmt_ = nullptr;
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return false;
}

void Statement::BindText(int index, std::string_view value) {
  if (!EnsurePrepared()) return;
  // A null pointer would bind SQL NULL, which no column accepts; "" it is.
  const char* data = value.data() != nullptr ? value.data() : "";
  const int rc = sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::BindInt64(int index, int64_t value) {
  if (!EnsurePrepared()) return;
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Result<bool> Statement::Step(std::string_view what) {
  if (!EnsurePrepared()) return ErrorStatus(db_, bind_rc_, what);
  sqlite3* db = sqlite3_db_handle(stmt_);
  if (bind_rc_ != SQLITE_OK) return ErrorStatus(db, bind_rc_, what);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return ErrorStatus(db, rc, what);
}

Status Statement::Run(std::string_view what) {
  while (true) {
    Result<bool> row = Step(what);
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

std::string Statement::ColumnText(int col) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (text == nullptr) return std::string();
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

int64_t Statement::ColumnInt64(int col) const { return sqlite3_column_int64(stmt_, col); }

void Statement::Reset() {
  bind_rc_ = SQLITE_OK;
  if (stmt_ == nullptr) return;
  // The return value repeats the last Step() error, already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

// ---- Database ----

Result<Database> Database::Open(const std::string& path) {
  sqlite3* db = nullptr;
  // NOMUTEX: the owner serialises access, so SQLite's own mutex is redundant.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = db == nullptr
                        ? Status::IoError("state store \"" + path + "\": open: out of memory")
                        : ErrorForFile(path, db, rc, "open");
    sqlite3_close_v2(db);
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  return Database(db, path);
}

Database::~Database() { sqlite3_close_v2(db_); }

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      wal_hook_(std::move(other.wal_hook_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    wal_hook_ = std::move(other.wal_hook_);
  }
  return *this;
}

Status Database::Exec(const std::string& sql, std::string_view what) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return ErrorStatus(db_, rc, what);
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql, std::string_view what) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return ErrorStatus(db_, rc, what);
  }
  return Statement(stmt);
}

Statement Database::PrepareLazily(std::string sql) { return Statement(db_, std::move(sql)); }

Result<int64_t> Database::QueryInt(const std::string& sql, std::string_view what) {
  REFINERY_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql, what));
  REFINERY_ASSIGN_OR_RETURN(bool has_row, stmt.Step(what));
  return has_row ? stmt.ColumnInt64(0) : int64_t{0};
}

Result<std::string> Database::QueryText(const std::string& sql, std::string_view what) {
  REFINERY_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql, what));
  REFINERY_ASSIGN_OR_RETURN(bool has_row, stmt.Step(what));
  return has_row ? stmt.ColumnText(0) : std::string();
}

Status Database::SetBusyTimeout(int millis) {
  const int rc = sqlite3_busy_timeout(db_, millis);
  if (rc != SQLITE_OK) return ErrorStatus(db_, rc, "set busy_timeout");
  return Status::Ok();
}

bool Database::InTransaction() const { return db_ != nullptr && sqlite3_get_autocommit(db_) == 0; }

Status Database::Checkpoint(CheckpointMode mode) {
  const bool passive = mode == CheckpointMode::kPassive;
  const int rc = sqlite3_wal_checkpoint_v2(db_, "main", passive ? SQLITE_CHECKPOINT_PASSIVE : SQLITE_CHECKPOINT_RESTART,
                                           nullptr, nullptr);
  if (rc == SQLITE_OK) return Status::Ok();
  // A passive checkpoint meeting another one in progress has nothing to add.
  if (passive && (rc & 0xff) == SQLITE_BUSY) return Status::Ok();
  return ErrorStatus(db_, rc, passive ? "checkpoint" : "restart checkpoint");
}

namespace {

int CallWalHook(void* arg, sqlite3* /*db*/, const char* /*schema*/, int wal_pages) {
  (*static_cast<std::function<void(int)>*>(arg))(wal_pages);
  return SQLITE_OK;  // anything else would be reported as the COMMIT's error
}

}  // namespace

void Database::SetWalHook(std::function<void(int wal_pages)> hook) {
  if (!hook) {
    sqlite3_wal_hook(db_, nullptr, nullptr);
    wal_hook_.reset();
    return;
  }
  wal_hook_ = std::make_unique<std::function<void(int)>>(std::move(hook));
  sqlite3_wal_hook(db_, &CallWalHook, wal_hook_.get());
}

}  // namespace refinery::store::sqlite
