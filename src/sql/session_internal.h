// Internal to sql/: the session's implementation, shared by its three
// files — session.cc (setup, statement dispatch, translation),
// session_ddl.cc (CREATE / DROP / DESCRIBE and the metastore) and
// session_query.cc (queries, INSERT, loading tables and writing snapshots).
#pragma once

#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sql/metastore.h"
#include "sql/script.h"
#include "sql/sql.h"
#include "sql/table_io.h"
#include "sql/translate.h"

namespace refinery::sql {
namespace internal {

struct StmtDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

inline Status SyntaxError(const Token& at, const std::string& what) {
  return Status::InvalidArgument("line " + std::to_string(at.line) + ": " + what, kSyntaxCode);
}

inline Status Unsupported(const Token& at, const std::string& what) {
  return Status::Unsupported("line " + std::to_string(at.line) + ": " + what, kSyntaxCode);
}

// Cursor over a statement's tokens.
class Cursor {
 public:
  explicit Cursor(const std::vector<Token>& tokens) : tokens_(tokens) {}
  bool AtEnd() const { return i_ >= tokens_.size(); }
  size_t index() const { return i_; }
  void Seek(size_t i) { i_ = i; }
  const Token& Peek(size_t ahead = 0) const {
    static const Token kEnd{TokenKind::kSymbol, "<end of statement>", 0};
    return i_ + ahead < tokens_.size() ? tokens_[i_ + ahead] : (tokens_.empty() ? kEnd : LastAsEnd());
  }
  bool Accept(std::string_view keyword) {
    if (AtEnd() || !tokens_[i_].Is(keyword)) return false;
    ++i_;
    return true;
  }
  bool AcceptSymbol(std::string_view symbol) {
    if (AtEnd() || !tokens_[i_].IsSymbol(symbol)) return false;
    ++i_;
    return true;
  }
  Status Expect(std::string_view keyword) {
    if (Accept(keyword)) return Status::Ok();
    return SyntaxError(Peek(), "expected " + std::string(keyword) + " but found '" + Peek().text + "'");
  }
  Result<std::string> String(const std::string& what) {
    if (AtEnd() || tokens_[i_].kind != TokenKind::kString) {
      return SyntaxError(Peek(), what + " must be a quoted string, found '" + Peek().text + "'");
    }
    return tokens_[i_++].text;
  }
  Result<std::string> Name(const std::string& what) {
    if (AtEnd() || (tokens_[i_].kind != TokenKind::kWord && tokens_[i_].kind != TokenKind::kQuotedName)) {
      return SyntaxError(Peek(), "expected " + what + " but found '" + Peek().text + "'");
    }
    return tokens_[i_++].text;
  }
  const Token& Next() { return tokens_[i_++]; }

 private:
  const Token& LastAsEnd() const {
    static thread_local Token end;
    end = Token{TokenKind::kSymbol, "<end of statement>", tokens_.back().line};
    return end;
  }
  const std::vector<Token>& tokens_;
  size_t i_ = 0;
};

// SELECT, WITH, VALUES or "(": where a query starts.
inline bool IsQueryStart(const Token& t) {
  return t.Is("SELECT") || t.Is("WITH") || t.Is("VALUES") || t.IsSymbol("(");
}
}  // namespace internal

class Session::Impl {
 public:
  explicit Impl(SessionOptions options) : options_(std::move(options)) {}
  ~Impl() {
    if (db_ != nullptr) sqlite3_close(db_);
  }

  Status Init();
  Status RunScript(std::string_view script, const std::string& script_name);
  Status Execute(std::string_view statement, int line);
  Status Query(std::string_view select, data::RowSink* sink);
  Status RegisterDataset(const std::string& table, const std::string& uri);
  Result<data::DatasetReader> OpenTable(const std::string& name);
  Result<std::string> Translate(std::string_view statement);

  SessionStats stats_;

 private:
  Status Dispatch(const std::string& text, const std::vector<internal::Token>& tokens, int line);
  Status CreateTable(internal::Cursor* c, const std::vector<internal::Token>& tokens, bool external,
                     const std::string& text);
  Status DropTable(internal::Cursor* c);
  Status Insert(internal::Cursor* c, const std::vector<internal::Token>& tokens, const std::string& text);
  Status InsertDirectory(internal::Cursor* c, const std::vector<internal::Token>& tokens, bool local,
                         const std::string& text);
  Status PrintQuery(const std::vector<internal::Token>& tokens, size_t begin, int line);
  Status ShowTables();
  Status Describe(internal::Cursor* c);

  Result<std::string> TableName(internal::Cursor* c);
  Status ParseRowFormat(internal::Cursor* c, internal::RowFormat* format);
  Result<std::string> Sql(const std::vector<internal::Token>& tokens, size_t begin) const;
  Result<internal::StmtPtr> Prepare(const std::string& sql, int line);
  Result<internal::TableDef> Lookup(const std::string& name, int line);
  Status EnsureLoaded(const std::string& name, int line);
  void Forget(const std::string& name);
  Status DropStaleCopies();
  Result<std::filesystem::path> Local(const std::string& uri) const;
  // Runs `stmt` into a new snapshot of `uri` (replacing it, or adding a part file when `append`).
  Result<internal::WrittenRows> WriteSnapshot(fs::FileSystem* files, const std::string& uri, sqlite3_stmt* stmt,
                                              const internal::RowFormat& format,
                                              const std::vector<internal::ColumnDef>& declared,
                                              const std::string& label, const std::string& query, bool append);
  Status WriteEmptySnapshot(const internal::TableDef& table);
  void Note(const std::string& line) const {
    if (options_.log) options_.log(line);
  }

  struct Loaded {
    int64_t success_mtime_ns = 0;
    ino_t inode = 0;
    std::string local;
  };
  static Loaded Fingerprint(const std::filesystem::path& dir);

  SessionOptions options_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<internal::Metastore> metastore_;
  std::map<std::string, std::string> hiveconf_;
  std::set<std::string> databases_ = {"default"};
  std::map<std::string, internal::TableDef> session_tables_;
  std::map<std::string, Loaded> loaded_;
};

}  // namespace refinery::sql
