#include "actions/sqoop_tools.h"

#include <cctype>

#include "actions/action_util.h"

namespace refinery::actions::internal {
namespace {

constexpr size_t kMaxEvalRowsLogged = 1000;

bool ReturnsRows(const std::string& sql) {
  std::string head;
  for (char c : sql) {
    if (std::isspace(static_cast<unsigned char>(c)) && head.empty()) continue;
    if (!std::isalpha(static_cast<unsigned char>(c))) break;
    head.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return head == "select" || head == "with" || head == "show" || head == "values" || head == "explain" ||
         head == "pragma" || head == "describe" || head == "desc";
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

}  // namespace

Result<Properties> RunEval(ActionContext& context, const SqoopOptions& options, const data::ConnectionSpec& spec) {
  REFINERY_ASSIGN_OR_RETURN(auto connection, data::Connect(spec));
  Properties data;
  if (!ReturnsRows(options.query)) {
    REFINERY_ASSIGN_OR_RETURN(const int64_t changed, connection->Execute(options.query));
    Report(context, std::to_string(changed) + " row(s) updated.");
    data.Set("rows", std::to_string(changed));
    return data;
  }
  std::vector<data::Column> columns;
  REFINERY_ASSIGN_OR_RETURN(auto rows, data::QueryAll(connection.get(), options.query, &columns));
  std::string header;
  for (const data::Column& column : columns) header += (header.empty() ? "| " : " | ") + column.name;
  Report(context, header + " |");
  for (size_t i = 0; i < rows.size() && i < kMaxEvalRowsLogged; ++i) {
    std::string line;
    for (const auto& value : rows[i]) line += (line.empty() ? "| " : " | ") + value.value_or("(null)");
    Report(context, line + " |");
  }
  if (rows.size() > kMaxEvalRowsLogged) Report(context, "... (" + std::to_string(rows.size()) + " rows in all)");
  data.Set("rows", std::to_string(rows.size()));
  return data;
}

Result<Properties> RunListTables(ActionContext& context, const data::ConnectionSpec& spec) {
  REFINERY_ASSIGN_OR_RETURN(auto connection, data::Connect(spec));
  REFINERY_ASSIGN_OR_RETURN(std::vector<std::string> tables, connection->ListTables());
  for (const std::string& table : tables) Report(context, table);
  Properties data;
  data.Set("tables", Join(tables));
  return data;
}

Result<Properties> RunListDatabases(ActionContext& context, const data::ConnectionSpec& spec) {
  REFINERY_ASSIGN_OR_RETURN(auto connection, data::Connect(spec));
  REFINERY_ASSIGN_OR_RETURN(std::vector<std::string> databases, connection->ListDatabases());
  for (const std::string& database : databases) Report(context, database);
  Properties data;
  data.Set("databases", Join(databases));
  return data;
}

}  // namespace refinery::actions::internal
