#include "store/postgres_connection.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>
#include <utility>

#include "store/postgres_store.h"

namespace refinery::store::pg {
namespace {

// libpq messages span lines ("...failed: ...\n\tIs the server running...");
// a Status is one line.
std::string OneLine(std::string text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

void ReplaceAll(std::string* text, const std::string& secret) {
  if (secret.empty()) return;
  for (size_t at = text->find(secret); at != std::string::npos; at = text->find(secret, at + 3)) {
    text->replace(at, secret.size(), "***");
  }
}

std::string Redacted(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) ReplaceAll(&text, secret);
  return text;
}

// The passwords a message must never show: the URL's (decoded by libpq's
// own parser) and $PGPASSWORD's. A passfile's never reach a message.
std::vector<std::string> SecretsOf(const std::string& url) {
  std::vector<std::string> secrets;
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  for (PQconninfoOption* o = options; o != nullptr && o->keyword != nullptr; ++o) {
    if (std::strcmp(o->keyword, "password") == 0 && o->val != nullptr && *o->val != '\0') secrets.push_back(o->val);
  }
  if (options != nullptr) PQconninfoFree(options);
  if (const char* env = std::getenv("PGPASSWORD"); env != nullptr && *env != '\0') secrets.push_back(env);
  return secrets;
}

bool Has(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

std::string Value(const char* text, const char* fallback) {
  return text != nullptr && *text != '\0' ? text : fallback;
}

// Why a connection failed, with what to do about it.
Status ConnectError(pg_conn* conn, const std::string& where, const std::vector<std::string>& secrets) {
  const std::string message = Redacted(OneLine(PQerrorMessage(conn)), secrets);
  const std::string host = Value(PQhost(conn), "localhost");
  const std::string port = Value(PQport(conn), "5432");
  const std::string user = Value(PQuser(conn), "");
  const std::string db = Value(PQdb(conn), user.c_str());
  const std::string prefix = where + ": could not connect: " + message;
  if (Has(message, "does not exist") && Has(message, "database \"")) {
    return Status::NotFound(prefix + "; create it with: createdb -h " + host + " -p " + port +
                            (user.empty() ? "" : " -O " + user) + " " + db + " (or CREATE DATABASE " + db +
                            " as a superuser)");
  }
  if (Has(message, "does not exist") && Has(message, "role \"")) {
    return Status::NotFound(prefix + "; create the role with: createuser -h " + host + " -p " + port +
                            " --pwprompt " + user);
  }
  if (Has(message, "authentication failed") || Has(message, "password")) {
    return Status::FailedPrecondition(prefix + "; check the user and password: in the URL, in PGPASSWORD, or in "
                                                "a passfile (PGPASSFILE, default ~/.pgpass)");
  }
  if (Has(message, "invalid") || Has(message, "missing")) {
    return Status::InvalidArgument(prefix + "; write the URL as postgresql://user@host:port/database[?param=value]");
  }
  return Status::IoError(prefix + "; is the PostgreSQL server running at " + host + ":" + port +
                         " and accepting connections? start it, or fix the host and port in the URL");
}

StatusCode CodeFor(const std::string& sqlstate) {
  const std::string cls = sqlstate.substr(0, 2);
  if (cls == "23" || cls == "22") return StatusCode::kInvalidArgument;  // constraint, bad data (e.g. not UTF-8)
  if (cls == "42") return StatusCode::kInternal;  // SQL we wrote is wrong, or the schema is not ours
  if (cls == "28") return StatusCode::kFailedPrecondition;  // authorization
  return StatusCode::kIoError;  // connection (08), shutdown (57), resources (53), serialization (40), ...
}

const char* Advice(const std::string& sqlstate) {
  const std::string cls = sqlstate.substr(0, 2);
  if (sqlstate == "22021" || sqlstate == "22P05") return "; the text is not valid UTF-8";
  if (sqlstate == "42501") return "; grant the store's user the privileges it needs on its schema";
  if (cls == "08" || cls == "57") return "; the connection to PostgreSQL was lost; it is made again on the next call";
  if (cls == "53") return "; the server ran out of a resource (disk, memory, connections): free it and retry";
  if (cls == "40") return "; the transaction was cancelled by a concurrent one: retry";
  return "";
}

}  // namespace

// ---- Params ----

std::string& Params::Slot(int index) {
  if (index > static_cast<int>(values_.size())) values_.resize(static_cast<size_t>(index));
  return values_[static_cast<size_t>(index - 1)];
}

void Params::BindText(int index, std::string_view value) { Slot(index).assign(value.data(), value.size()); }

void Params::BindInt64(int index, int64_t value) {
  std::string& slot = Slot(index);
  slot.resize(8);
  const auto bits = static_cast<uint64_t>(value);
  for (int i = 0; i < 8; ++i) slot[static_cast<size_t>(i)] = static_cast<char>((bits >> (56 - 8 * i)) & 0xff);
}

// ---- Rows ----

void ResultDeleter::operator()(pg_result* result) const { PQclear(result); }

int Rows::size() const { return PQntuples(result_.get()); }

bool Rows::IsNull(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }

std::string Rows::Text(int row, int col) const {
  if (IsNull(row, col)) return "";
  return std::string(PQgetvalue(result_.get(), row, col), static_cast<size_t>(PQgetlength(result_.get(), row, col)));
}

int64_t Rows::Int64(int row, int col) const {
  if (IsNull(row, col)) return 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, col));
  const int length = PQgetlength(result_.get(), row, col);
  uint64_t bits = 0;
  for (int i = 0; i < length; ++i) bits = (bits << 8) | bytes[i];
  // int2 and int4 are sign-extended from their width.
  if (length > 0 && length < 8 && (bytes[0] & 0x80) != 0) bits |= ~uint64_t{0} << (8 * length);
  return static_cast<int64_t>(bits);
}

// ---- Connection ----

Connection::Connection(pg_conn* conn, std::string url, std::vector<std::string> secrets)
    : conn_(conn), where_("state store \"" + MaskPassword(url) + "\""), secrets_(std::move(secrets)) {}

Connection::~Connection() { PQfinish(conn_); }

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url) {
  std::vector<std::string> secrets = SecretsOf(url);
  const std::string where = "state store \"" + MaskPassword(url) + "\"";
  // Settings before dbname are defaults the URL may override; UTF8 after it
  // is not negotiable (records are UTF-8 text).
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", "client_encoding", nullptr};
  const char* values[] = {"10", "refinery", url.c_str(), "UTF8", nullptr};
  pg_conn* conn = PQconnectdbParams(keys, values, 1);
  if (conn == nullptr) return Status::IoError(where + ": could not connect: libpq could not allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    Status status = ConnectError(conn, where, secrets);
    PQfinish(conn);
    return status;
  }
  return std::unique_ptr<Connection>(new Connection(conn, url, std::move(secrets)));
}

Status Connection::ErrorOf(pg_result* result, std::string_view what) const {
  const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const std::string sqlstate = state == nullptr ? "08000" : state;  // no result: the connection failed
  const char* primary = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const char* detail = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);
  std::string message = primary != nullptr ? primary : OneLine(PQerrorMessage(conn_));
  if (detail != nullptr) message += " (" + OneLine(detail) + ")";
  message = where_ + ": " + std::string(what) + ": " + Redacted(message, secrets_) + Advice(sqlstate);
  return Status(CodeFor(sqlstate), "", std::move(message));
}

Result<std::string> Connection::PreparedName(const std::string& sql, int params, std::string_view what) {
  if (auto found = prepared_.find(sql); found != prepared_.end()) return found->second;
  std::string name = "refinery_" + std::to_string(prepared_.size() + 1);
  std::unique_ptr<pg_result, ResultDeleter> made(PQprepare(conn_, name.c_str(), sql.c_str(), params, nullptr));
  if (PQresultStatus(made.get()) != PGRES_COMMAND_OK) return ErrorOf(made.get(), what);
  prepared_.emplace(sql, name);
  return name;
}

Result<Rows> Connection::Query(const std::string& sql, const Params& params, std::string_view what, bool prepare) {
  const int count = params.size();
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats(static_cast<size_t>(count), 1);
  for (const std::string& value : params.values()) {
    values.push_back(value.data());
    lengths.push_back(static_cast<int>(value.size()));
  }
  pg_result* result = nullptr;
  if (prepare) {
    REFINERY_ASSIGN_OR_RETURN(std::string name, PreparedName(sql, count, what));
    result = PQexecPrepared(conn_, name.c_str(), count, values.data(), lengths.data(), formats.data(), 1);
  } else {
    result = PQexecParams(conn_, sql.c_str(), count, nullptr, values.data(), lengths.data(), formats.data(), 1);
  }
  Rows rows(result);
  const ExecStatusType state = PQresultStatus(result);
  if (state != PGRES_TUPLES_OK && state != PGRES_COMMAND_OK) return ErrorOf(result, what);
  return rows;
}

Status Connection::Exec(const std::string& sql, const Params& params, std::string_view what, bool prepare) {
  return Query(sql, params, what, prepare).status();
}

Status Connection::ExecSimple(const std::string& sql, std::string_view what) {
  std::unique_ptr<pg_result, ResultDeleter> result(PQexec(conn_, sql.c_str()));
  const ExecStatusType state = PQresultStatus(result.get());
  if (state != PGRES_TUPLES_OK && state != PGRES_COMMAND_OK) return ErrorOf(result.get(), what);
  return Status::Ok();
}

bool Connection::InTransaction() const {
  const PGTransactionStatusType state = PQtransactionStatus(conn_);
  return state == PQTRANS_INTRANS || state == PQTRANS_INERROR || state == PQTRANS_ACTIVE;
}

bool Connection::Broken() const { return PQstatus(conn_) == CONNECTION_BAD; }

Status Connection::Reconnect() {
  prepared_.clear();
  PQreset(conn_);
  if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  return ConnectError(conn_, where_, secrets_);
}

}  // namespace refinery::store::pg
