#include "data/sql_source.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/plugin.h"
#include "data/sql_internal.h"

namespace refinery::data {
namespace {

constexpr char kSupportedUrls[] =
    "jdbc:sqlite:PATH, jdbc:postgresql://host[:port]/database, jdbc:mysql://host[:port]/database, "
    "jdbc:mariadb://host[:port]/database";

Status BadUrl(const std::string& url, const std::string& why) {
  return Status::InvalidArgument("Invalid connect string \"" + url + "\": " + why + "; supported: " + kSupportedUrls,
                                 kConnectCode);
}

void ParseParameters(std::string_view query, JdbcUrl* out) {
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find_first_of("&;", start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    const size_t eq = pair.find('=');
    if (!pair.empty()) {
      out->parameters[std::string(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
    }
    start = end + 1;
  }
}

// host[:port]/database[?params] after "//".
Result<JdbcUrl> ParseNetworkUrl(const std::string& url, std::string_view rest, Dialect dialect) {
  JdbcUrl out;
  out.dialect = dialect;
  const size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    ParseParameters(rest.substr(question + 1), &out);
    rest = rest.substr(0, question);
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) out.database = std::string(rest.substr(slash + 1));
  // Several hosts (failover lists) are not supported: take the first.
  authority = authority.substr(0, authority.find(','));
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (ec != std::errc() || end != port.data() + port.size() || out.port <= 0 || out.port > 65535) {
      return BadUrl(url, "the port \"" + std::string(port) + "\" is not a number in 1..65535");
    }
    authority = authority.substr(0, colon);
  }
  out.host = std::string(authority);
  if (out.host.empty()) out.host = "localhost";
  return out;
}

}  // namespace

const char* DialectName(Dialect dialect) {
  switch (dialect) {
    case Dialect::kSqlite: return "sqlite";
    case Dialect::kPostgres: return "postgresql";
    case Dialect::kMysql: return "mysql";
  }
  return "sqlite";
}

Result<JdbcUrl> ParseJdbcUrl(const std::string& url) {
  const std::string_view text = url;
  if (text.rfind("jdbc:sqlite:", 0) == 0) {
    JdbcUrl out;
    out.dialect = Dialect::kSqlite;
    out.database = std::string(text.substr(12));
    if (out.database.rfind("file:", 0) == 0) out.database = out.database.substr(5);
    if (out.database.empty()) return BadUrl(url, "no database file after jdbc:sqlite:");
    return out;
  }
  const struct {
    const char* prefix;
    Dialect dialect;
  } kNetwork[] = {{"jdbc:postgresql://", Dialect::kPostgres},
                  {"jdbc:mysql://", Dialect::kMysql},
                  {"jdbc:mariadb://", Dialect::kMysql}};
  for (const auto& form : kNetwork) {
    const std::string_view prefix = form.prefix;
    if (text.rfind(prefix, 0) == 0) return ParseNetworkUrl(url, text.substr(prefix.size()), form.dialect);
  }
  if (text.rfind("jdbc:", 0) != 0) return BadUrl(url, "it does not start with jdbc:");
  return BadUrl(url, "this database is not supported");
}

std::string RedactSecret(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 8)) {
    text.replace(pos, secret.size(), "********");
  }
  return text;
}

std::string SqlConnection::QuoteIdentifier(const std::string& name) const {
  const char quote = dialect() == Dialect::kMysql ? '`' : '"';
  std::string out(1, quote);
  for (char c : name) {
    if (c == quote) out.push_back(quote);
    out.push_back(c);
  }
  out.push_back(quote);
  return out;
}

std::string SqlConnection::QuoteLiteral(const std::string& value) const {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out.push_back('\'');
    // MySQL treats backslash as an escape inside literals by default.
    if (c == '\\' && dialect() == Dialect::kMysql) out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

namespace internal {

std::string SqlForMessage(const std::string& sql) {
  constexpr size_t kShown = 300;
  if (sql.size() <= kShown) return sql;
  return sql.substr(0, kShown) + "… (" + std::to_string(sql.size() - kShown) + " more bytes)";
}

Result<std::unique_ptr<SqlConnection>> ConnectThroughPlugin(const std::string& name, const JdbcUrl& url,
                                                            const ConnectionSpec& spec) {
  using Entry = void (*)(const JdbcUrl*, const ConnectionSpec*, Result<std::unique_ptr<SqlConnection>>*);
  REFINERY_ASSIGN_OR_RETURN(void* address, FindPluginSymbol(name, "refinery_connect_" + name));
  Result<std::unique_ptr<SqlConnection>> connection = Status::Internal("the plugin returned nothing");
  reinterpret_cast<Entry>(address)(&url, &spec, &connection);
  return connection;
}

}  // namespace internal

Result<std::unique_ptr<SqlConnection>> Connect(const ConnectionSpec& spec) {
  REFINERY_ASSIGN_OR_RETURN(JdbcUrl url, ParseJdbcUrl(spec.url));
  switch (url.dialect) {
    case Dialect::kSqlite: return internal::ConnectSqlite(url, spec);
    case Dialect::kPostgres: return internal::ConnectThroughPlugin("postgres", url, spec);
    case Dialect::kMysql: return internal::ConnectThroughPlugin("mysql", url, spec);
  }
  return Status::Internal("unknown dialect");
}

namespace {

class CollectingSink : public RowSink {
 public:
  Status OnColumns(const std::vector<Column>& columns) override {
    columns_ = columns;
    return Status::Ok();
  }
  Status OnRow(const std::vector<Field>& row) override {
    std::vector<std::optional<std::string>> values;
    values.reserve(row.size());
    for (const Field& field : row) {
      if (field.is_null) {
        values.emplace_back(std::nullopt);
      } else {
        values.emplace_back(std::string(field.text));
      }
    }
    rows_.push_back(std::move(values));
    return Status::Ok();
  }
  std::vector<Column> columns_;
  std::vector<std::vector<std::optional<std::string>>> rows_;
};

}  // namespace

Result<std::vector<std::vector<std::optional<std::string>>>> QueryAll(SqlConnection* connection,
                                                                       const std::string& sql,
                                                                       std::vector<Column>* columns) {
  CollectingSink sink;
  REFINERY_RETURN_IF_ERROR(connection->Stream(sql, StreamOptions(), &sink));
  if (columns != nullptr) *columns = sink.columns_;
  return std::move(sink.rows_);
}

namespace internal {

void AppendDouble(double value, std::string* out) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (ec == std::errc()) out->append(buffer, end);
}

void AppendHex(std::string_view bytes, std::string* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned char c : bytes) {
    out->push_back(kDigits[c >> 4]);
    out->push_back(kDigits[c & 15]);
  }
}

std::string LowerType(std::string_view type) {
  std::string out;
  for (char c : type) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace internal
}  // namespace refinery::data
