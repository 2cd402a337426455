// libFuzzer: the HiveQL text layer and translator. Arbitrary bytes as a
// script are split into statements, substituted, tokenized and translated;
// statements that only read (SELECT, SET, USE, SHOW, DESCRIBE, EXPLAIN, ...)
// run in a fresh session, so the Hive functions registered on SQLite see
// arbitrary arguments too. Nothing may crash, hang or throw; statements that
// write (CREATE, INSERT, DROP, TRUNCATE) are only translated, never run, so
// the fuzzer cannot touch files outside its scratch root.
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fs/file_system.h"
#include "sql/script.h"
#include "sql/sql.h"
#include "sql/translate.h"

namespace {

namespace stdfs = std::filesystem;
namespace internal = refinery::sql::internal;
using refinery::Status;

const stdfs::path& Root() {
  static const stdfs::path root = [] {
    // tmpfs when there is one: the metastore is a SQLite file.
    const stdfs::path base = stdfs::is_directory("/dev/shm") ? stdfs::path("/dev/shm") : stdfs::temp_directory_path();
    stdfs::path path = base / ("refinery-hiveql-fuzz-" + std::to_string(::getpid()));
    stdfs::create_directories(path);
    return path;
  }();
  return root;
}

const std::map<std::string, std::string>& Variables() {
  static const std::map<std::string, std::string> kVariables = {
      {"date", "2024-01-31"}, {"n", "5"}, {"table", "t"}, {"nested", "${date}"}, {"empty", ""}};
  return kVariables;
}

// Keeps a few rows, then stops the query: rows beyond are not the point.
class FewRows : public refinery::data::RowSink {
 public:
  Status OnColumns(const std::vector<refinery::data::Column>&) override { return Status::Ok(); }
  Status OnRow(const std::vector<refinery::data::Field>& row) override {
    for (const auto& field : row) bytes_ += field.text.size();
    if (++rows_ >= 64) return Status::Cancelled("enough rows");
    return Status::Ok();
  }

 private:
  int rows_ = 0;
  size_t bytes_ = 0;
};

// std::regex backtracks: a pattern such as '(a*)*b' takes exponential time
// and cannot be interrupted, which libFuzzer would report as a timeout.
// Statements that could build a pattern are only translated; the regular
// expression functions see fuzzed subjects through RegexOverText instead.
bool MayBuildPattern(std::string_view text) {
  const std::string lower = internal::Lower(text);
  for (const char* word : {"regexp", "rlike", "split"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

// A Hive string literal holding `text` as it is.
std::string HiveLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\\' || c == '\'') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

// The regular expression functions over `text`, with patterns that match in
// linear time.
std::string RegexOverText(std::string_view text) {
  const std::string subject = HiveLiteral(text);
  return "SELECT split(" + subject + ", ','), regexp_replace(" + subject + ", '[0-9]+', '#'), regexp_extract(" +
         subject + ", '([a-z]+)=([a-z]*)', 2), " + subject + " RLIKE '^[a-z ]+$', size(split(" + subject + ", ' '))";
}

// Statements whose Execute only reads: session state, the metastore, a query.
bool OnlyReads(const std::vector<internal::Token>& tokens) {
  const internal::Token& first = tokens[0];
  for (const char* word : {"SELECT", "WITH", "VALUES", "SET", "USE", "ADD", "SHOW", "DESCRIBE", "DESC", "EXPLAIN",
                           "ANALYZE", "MSCK", "FROM", "LOAD", "ALTER"}) {
    if (first.Is(word)) return true;
  }
  return first.IsSymbol("(");
}

// Every position of a statement as the start of a Hive type (CREATE TABLE's
// column list), and the translator over every suffix that starts a query.
void TranslateParts(const std::vector<internal::Token>& tokens) {
  for (size_t i = 0; i < tokens.size() && i < 256; ++i) {
    size_t at = i;
    auto type = internal::ParseHiveType(tokens, &at);
    if (type.ok() && (at <= i || at > tokens.size())) std::abort();  // must advance, within bounds
    if (tokens[i].Is("SELECT") || tokens[i].Is("WITH")) {
      static_cast<void>(internal::TranslateTokens(tokens, i, tokens.size(), {"default"}));
    }
  }
}

void CheckSplit(std::string_view script, const std::vector<internal::ScriptStatement>& statements) {
  int lines = 1;
  for (char c : script) lines += c == '\n' ? 1 : 0;
  int previous = 0;
  for (const auto& statement : statements) {
    // Lines are 1-based, in order, and within the script.
    if (statement.line < 1 || statement.line > lines || statement.line < previous) std::abort();
    previous = statement.line;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // scripts, not data: long inputs only slow the search
  const std::string_view script(reinterpret_cast<const char*>(data), size);
  auto statements = internal::SplitScript(script);
  if (!statements.ok()) return 0;
  CheckSplit(script, *statements);

  refinery::fs::FileSystem files(Root().string());
  refinery::sql::SessionOptions options;
  options.files = &files;
  options.variables = Variables();
  options.max_printed_rows = 16;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  options.cancelled = [deadline] { return std::chrono::steady_clock::now() > deadline; };
  auto session = refinery::sql::Session::Open(options);
  if (!session.ok()) std::abort();

  FewRows regex_rows;
  static_cast<void>((*session)->Query(RegexOverText(script), &regex_rows));
  for (const auto& statement : *statements) {
    auto text = internal::SubstituteVariables(statement.text, Variables(), {});
    if (!text.ok()) continue;
    auto tokens = internal::Tokenize(*text, statement.line);
    if (!tokens.ok() || tokens->empty()) continue;
    TranslateParts(*tokens);
    static_cast<void>((*session)->Translate(statement.text));
    if (!OnlyReads(*tokens) || MayBuildPattern(*text)) continue;
    static_cast<void>((*session)->Execute(statement.text, statement.line));
    FewRows rows;
    static_cast<void>((*session)->Query(statement.text, &rows));
  }
  return 0;
}
