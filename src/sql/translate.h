// Internal to sql/: HiveQL types and queries in SQLite's terms. A query is
// rewritten token by token — identifiers, literals, operators and the
// constructs whose meaning differs (`/` is always floating point in Hive,
// CAST yields NULL on bad input, `arr[i]`, SORT BY, RLIKE) — and anything
// SQLite would silently treat differently is refused with the line and the
// supported spelling.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/table.h"
#include "sql/script.h"

namespace refinery::sql::internal {

enum class TypeClass { kInteger, kReal, kText, kBoolean, kDate, kTimestamp };

struct HiveType {
  std::string name = "string";  // lowercase as declared, e.g. "decimal(10,2)"
  TypeClass type_class = TypeClass::kText;
};

// Parses a Hive type at tokens[*i], advancing past it. Complex types
// (array, map, struct, uniontype) and binary are refused with the line.
Result<HiveType> ParseHiveType(const std::vector<Token>& tokens, size_t* i);
// A type name from a metastore record or a sidecar ("bigint", "decimal(10,2)").
HiveType HiveTypeFromName(const std::string& name);
HiveType HiveTypeFromValueType(data::ValueType type);
data::ValueType ValueTypeOf(TypeClass type_class);
// The SQLite column declaration that gives the right affinity.
const char* SqliteDeclaration(TypeClass type_class);

// Rewrites tokens [begin, end) (a query or an expression) for SQLite.
// `databases` are names whose `name.` qualifier is dropped (`default.t`).
Result<std::string> TranslateTokens(const std::vector<Token>& tokens, size_t begin, size_t end,
                                    const std::set<std::string>& databases);

// A name as SQLite reads it: "name" with quotes doubled.
std::string QuoteName(const std::string& name);
// A string literal as SQLite reads it: 'text' with quotes doubled.
std::string QuoteString(const std::string& text);

}  // namespace refinery::sql::internal
