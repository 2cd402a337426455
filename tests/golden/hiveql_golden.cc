// Golden cases for HiveQL (tests/data/hiveql/*.test).
//
//   @mode translate  the input is one statement; the output is the SQLite
//                    statement it becomes (the default mode)
//   @mode run        the input is a script run in a fresh session over an
//                    empty file-system root; the last statement must be a
//                    query, and the output is its rows (tab-separated, NULL
//                    for null), or "(no rows)"
//   @mode split      the input is a script; the output is one
//                    "<line>: <statement>" per statement
//   @var NAME=VALUE  a Hive variable (<param>) for the case
#include <stdlib.h>

#include <filesystem>

#include "golden/golden.h"
#include "sql/script.h"
#include "sql/sql.h"

namespace refinery::golden {
namespace {

class RowPrinter : public data::RowSink {
 public:
  Status OnColumns(const std::vector<data::Column>&) override { return Status::Ok(); }
  Status OnRow(const std::vector<data::Field>& row) override {
    for (size_t k = 0; k < row.size(); ++k) {
      if (k > 0) text_ += '\t';
      text_ += row[k].is_null ? std::string("NULL") : std::string(row[k].text);
    }
    text_ += '\n';
    return Status::Ok();
  }
  std::string text() const { return text_.empty() ? "(no rows)" : text_.substr(0, text_.size() - 1); }

 private:
  std::string text_;
};

// A fresh file-system root, removed afterwards.
class TempRoot {
 public:
  TempRoot() {
    char pattern[] = "/tmp/refinery-hiveql-golden-XXXXXX";
    if (::mkdtemp(pattern) != nullptr) path_ = pattern;
  }
  ~TempRoot() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

Result<std::string> Run(const GoldenCase& c, sql::Session* session) {
  REFINERY_ASSIGN_OR_RETURN(const auto statements, sql::internal::SplitScript(c.input));
  if (statements.empty()) return Status::InvalidArgument("the case has no statement");
  for (size_t k = 0; k + 1 < statements.size(); ++k) {
    REFINERY_RETURN_IF_ERROR(session->Execute(statements[k].text, statements[k].line));
  }
  RowPrinter printer;
  REFINERY_RETURN_IF_ERROR(session->Query(statements.back().text, &printer));
  return printer.text();
}

Result<std::string> Split(const GoldenCase& c) {
  REFINERY_ASSIGN_OR_RETURN(const auto statements, sql::internal::SplitScript(c.input));
  std::string out;
  for (const auto& statement : statements) out += std::to_string(statement.line) + ": " + statement.text + "\n";
  return out.empty() ? std::string("(none)") : out.substr(0, out.size() - 1);
}

Result<std::string> Handle(const GoldenCase& c) {
  const std::string mode = ContextValue(c, "mode").empty() ? "translate" : ContextValue(c, "mode");
  if (mode == "split") return Split(c);
  TempRoot root;
  fs::FileSystem files(root.path());
  sql::SessionOptions options;
  options.files = &files;
  for (const std::string& var : ContextValues(c, "var")) {
    const size_t eq = var.find('=');
    options.variables[var.substr(0, eq)] = eq == std::string::npos ? "" : var.substr(eq + 1);
  }
  REFINERY_ASSIGN_OR_RETURN(auto session, sql::Session::Open(std::move(options)));
  if (mode == "run") return Run(c, session.get());
  return session->Translate(c.input);
}

const bool kRegistered = RegisterGoldenHandler("hiveql", Handle);

}  // namespace
}  // namespace refinery::golden
