#include "store/job_query.h"

#include <algorithm>
#include <sstream>

namespace refinery::store {
namespace {

constexpr const char* kStatuses[] = {"PREP", "RUNNING", "SUSPENDED", "SUCCEEDED", "KILLED", "FAILED"};

class WhereBuilder {
 public:
  WhereBuilder(SqlDialect dialect, int first_param) : dialect_(dialect), next_param_(first_param) {}

  // `column IN (?, ?, ...)`; nothing when `values` is empty.
  void AnyOf(const char* column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    std::string sql = std::string(column) + " IN (";
    for (size_t i = 0; i < values.size(); ++i) {
      if (i != 0) sql += ", ";
      sql += Param(values[i]);
    }
    Add(sql + ")");
  }

  // The placeholder of a new argument `value`: ? for SQLite, $N for PostgreSQL.
  std::string Param(std::variant<std::string, int64_t> value) {
    clause_.args.push_back(std::move(value));
    const int number = next_param_++;
    return dialect_ == SqlDialect::kPostgres ? "$" + std::to_string(number) : "?";
  }

  void Condition(const std::string& sql) { Add(sql); }

  WhereClause Take() { return std::move(clause_); }

 private:
  void Add(const std::string& sql) {
    clause_.sql += clause_.sql.empty() ? " WHERE " : " AND ";
    clause_.sql += sql;
  }

  SqlDialect dialect_;
  int next_param_;
  WhereClause clause_;
};

}  // namespace

WhereClause BuildJobWhere(const JobFilter& filter, SqlDialect dialect, int first_param) {
  WhereBuilder where(dialect, first_param);
  where.AnyOf("status", filter.statuses);
  where.AnyOf("app_name", filter.names);
  where.AnyOf("user_name", filter.users);
  where.AnyOf("group_name", filter.groups);
  where.AnyOf("id", filter.ids);
  if (!filter.text.empty()) {
    // instr/strpos, not LIKE: the text is matched literally ('%' and '_' are
    // not wildcards) and case-sensitively, as Oozie filter values are.
    const char* find = dialect == SqlDialect::kPostgres ? "strpos" : "instr";
    const std::string name = where.Param(filter.text);
    const std::string user = where.Param(filter.text);
    const std::string id = where.Param(filter.text);
    where.Condition(std::string("(") + find + "(app_name, " + name + ") > 0 OR " + find + "(user_name, " + user +
                    ") > 0 OR id = " + id + ")");
  }
  if (!filter.parent_id.empty()) where.Condition("parent_id = " + where.Param(filter.parent_id));
  if (filter.created_after_ms != 0) where.Condition("created_ms >= " + where.Param(filter.created_after_ms));
  if (filter.created_before_ms != 0) where.Condition("created_ms <= " + where.Param(filter.created_before_ms));
  return where.Take();
}

void BindWhere(RowBinder& stmt, const WhereClause& where, int first) {
  int index = first;
  for (const auto& arg : where.args) {
    if (const auto* text = std::get_if<std::string>(&arg)) {
      stmt.BindText(index++, *text);
    } else {
      stmt.BindInt64(index++, std::get<int64_t>(arg));
    }
  }
}

Result<store::JobFilter> ParseJobFilter(const std::string& text) {
  store::JobFilter filter;
  std::stringstream stream(text);
  std::string element;
  while (std::getline(stream, element, ';')) {
    if (element.empty()) continue;
    const auto eq = element.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument(
          "Invalid jobs filter [" + text + "], elements must be semicolon-separated name=value pairs", "E0420");
    }
    std::string key = element.substr(0, eq);
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    const std::string value = element.substr(eq + 1);
    if (key == "status") {
      if (std::none_of(std::begin(kStatuses), std::end(kStatuses), [&](const char* s) { return value == s; })) {
        return Status::InvalidArgument("Invalid jobs filter [" + text + "], invalid status value [" + value +
                                           "]. Valid status values are: [PREP, RUNNING, SUSPENDED, SUCCEEDED, "
                                           "KILLED, FAILED]",
                                       "E0420");
      }
      filter.statuses.push_back(value);
    } else if (key == "name") {
      filter.names.push_back(value);
    } else if (key == "user") {
      filter.users.push_back(value);
    } else if (key == "id") {
      filter.ids.push_back(value);
    } else if (key == "text") {
      filter.text = value;
    } else {
      return Status::InvalidArgument("Invalid jobs filter [" + text + "], invalid name [" + key +
                                         "]; valid names are status, name, user, id, text",
                                     "E0420");
    }
  }
  return filter;
}

}  // namespace refinery::store
