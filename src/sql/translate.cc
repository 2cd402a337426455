#include "sql/translate.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>

#include "sql/sql.h"

namespace refinery::sql::internal {
namespace {

Status Refuse(const Token& at, const std::string& what) {
  return Status::Unsupported("line " + std::to_string(at.line) + ": " + what, kSyntaxCode);
}

Status Malformed(const Token& at, const std::string& what) {
  return Status::InvalidArgument("line " + std::to_string(at.line) + ": " + what, kSyntaxCode);
}

// A piece of output text; `call` marks a function name ("(" follows without a space).
struct Piece {
  std::string text;
  bool call = false;
};

std::string Join(const std::vector<Piece>& pieces) {
  std::string out;
  for (size_t k = 0; k < pieces.size(); ++k) {
    const std::string& cur = pieces[k].text;
    if (k > 0) {
      const Piece& prev = pieces[k - 1];
      const bool glue = prev.text == "(" || prev.text == "." || cur == ")" || cur == "," || cur == "." ||
                        (cur == "(" && prev.call);
      if (!glue) out.push_back(' ');
    }
    out += cur;
  }
  return out;
}

// Index of the token closing the bracket at `open`, or npos.
size_t FindClose(const std::vector<Token>& tokens, size_t open, size_t end) {
  const std::string& opener = tokens[open].text;
  const std::string closer = opener == "(" ? ")" : "]";
  int depth = 0;
  for (size_t k = open; k < end; ++k) {
    if (tokens[k].IsSymbol(opener)) ++depth;
    if (tokens[k].IsSymbol(closer) && --depth == 0) return k;
  }
  return std::string::npos;
}

// Generators and clauses Hive has and SQLite has not, with what to write instead.
const char* RefusedFunction(const std::string& lower_name) {
  if (lower_name == "explode" || lower_name == "posexplode" || lower_name == "inline" || lower_name == "stack" ||
      lower_name == "json_tuple" || lower_name == "parse_url_tuple") {
    return "table-generating functions are not supported; keep one row per input row (for arrays use size() and "
           "arr[i])";
  }
  if (lower_name == "transform" || lower_name == "reduce") {
    return "TRANSFORM/MAP/REDUCE scripts are not supported; run the script in a <shell> action";
  }
  return nullptr;
}

class Translator {
 public:
  Translator(const std::vector<Token>& tokens, const std::set<std::string>& databases)
      : tokens_(tokens), databases_(databases) {}

  Result<std::string> Run(size_t begin, size_t end) {
    std::vector<Piece> out;
    REFINERY_RETURN_IF_ERROR(Emit(begin, end, &out));
    return Join(out);
  }

 private:
  // A function call: a name (not a keyword such as OVER, AS or IN) before '('.
  bool IsCall(size_t i, size_t end) const {
    static const std::set<std::string> kKeywords = {
        "ALL",   "AND",   "ANY",    "AS",     "BETWEEN", "BY",      "CASE",  "DISTINCT", "ELSE",
        "END",   "EXCEPT", "EXISTS", "FILTER", "FROM",    "HAVING",  "IN",    "INTERSECT", "INTO",
        "IS",    "JOIN",  "LIKE",   "LIMIT",  "NOT",     "ON",      "OR",    "OVER",     "RECURSIVE",
        "SELECT", "TABLE", "THEN",  "UNION",  "USING",   "VALUES",  "WHEN",  "WHERE",    "WINDOW", "WITH"};
    return i + 1 < end && tokens_[i + 1].IsSymbol("(") && kKeywords.count(Upper(tokens_[i].text)) == 0;
  }

  Status Emit(size_t begin, size_t end, std::vector<Piece>* out) {
    for (size_t i = begin; i < end; ++i) {
      const Token& t = tokens_[i];
      switch (t.kind) {
        case TokenKind::kString: out->push_back({QuoteString(t.text)}); break;
        case TokenKind::kQuotedName: out->push_back({QuoteName(t.text)}); break;
        case TokenKind::kNumber: out->push_back({NumberText(t.text)}); break;
        case TokenKind::kSymbol: REFINERY_RETURN_IF_ERROR(Symbol(&i, end, out)); break;
        case TokenKind::kWord: REFINERY_RETURN_IF_ERROR(Word(&i, end, out)); break;
      }
    }
    return Status::Ok();
  }

  static std::string NumberText(std::string text) {
    if (text.size() > 2 && (text.back() == 'D' || text.back() == 'd') &&
        (text[text.size() - 2] == 'B' || text[text.size() - 2] == 'b')) {
      text.resize(text.size() - 2);
    }
    if (!text.empty() && std::strchr("LlSsYyDd", text.back()) != nullptr) text.pop_back();
    return text;
  }

  Status Symbol(size_t* i, size_t end, std::vector<Piece>* out) {
    const Token& t = tokens_[*i];
    if (t.text == "/") {
      // Hive's `/` always divides as double; SQLite's truncates two integers.
      out->push_back({"*"});
      out->push_back({"1.0"});
      out->push_back({"/"});
    } else if (t.text == "==") {
      out->push_back({"="});
    } else if (t.text == "<=>") {
      out->push_back({"IS"});
    } else if (t.text == "!") {
      out->push_back({"NOT"});
    } else if (t.text == "[") {
      return Index(i, end, out);
    } else {
      out->push_back({t.text});
    }
    return Status::Ok();
  }

  // arr[i] -> hive_index(arr, i): the primary before '[' moves inside.
  Status Index(size_t* i, size_t end, std::vector<Piece>* out) {
    const size_t close = FindClose(tokens_, *i, end);
    if (close == std::string::npos) return Malformed(tokens_[*i], "'[' is never closed with ']'");
    if (out->empty()) return Malformed(tokens_[*i], "'[' must follow an array expression");
    size_t start = out->size() - 1;
    if ((*out)[start].text == ")") {
      int depth = 0;
      for (size_t k = out->size(); k-- > 0;) {
        if ((*out)[k].text == ")") ++depth;
        if ((*out)[k].text == "(" && --depth == 0) {
          start = k;
          break;
        }
      }
      if (start > 0 && (*out)[start - 1].call) --start;
    } else {
      while (start >= 2 && (*out)[start - 1].text == ".") start -= 2;
    }
    std::vector<Piece> primary(out->begin() + static_cast<long>(start), out->end());
    out->resize(start);
    std::vector<Piece> index;
    REFINERY_RETURN_IF_ERROR(Emit(*i + 1, close, &index));
    out->push_back({"hive_index", true});
    out->push_back({"("});
    out->push_back({Join(primary)});
    out->push_back({","});
    out->push_back({Join(index)});
    out->push_back({")"});
    *i = close;
    return Status::Ok();
  }

  Status Word(size_t* i, size_t end, std::vector<Piece>* out) {
    const Token& t = tokens_[*i];
    const std::string upper = Upper(t.text);
    const Token* next = *i + 1 < end ? &tokens_[*i + 1] : nullptr;
    if (next != nullptr && next->IsSymbol(".") && databases_.count(Lower(t.text)) != 0 && *i + 2 < end &&
        (tokens_[*i + 2].kind == TokenKind::kWord || tokens_[*i + 2].kind == TokenKind::kQuotedName) &&
        (out->empty() || out->back().text != ".")) {
      ++*i;  // drop "default." in default.table
      return Status::Ok();
    }
    if (IsCall(*i, end)) return Call(i, end, out);
    if ((upper == "SORT" || upper == "CLUSTER") && next != nullptr && next->Is("BY")) {
      out->push_back({"ORDER"});
      return Status::Ok();
    }
    if (upper == "DISTRIBUTE" && next != nullptr && next->Is("BY")) {
      return Refuse(t, "DISTRIBUTE BY is not supported (it only spreads rows over reducers); remove it, and use "
                       "ORDER BY for an ordered result");
    }
    if (upper == "LATERAL") {
      return Refuse(t, "LATERAL VIEW is not supported; keep one row per input row (for arrays use size() and "
                       "arr[i])");
    }
    if (upper == "SEMI") {
      return Refuse(t, "LEFT SEMI JOIN is not supported; write WHERE key IN (SELECT key FROM ...) or WHERE EXISTS "
                       "(SELECT ...)");
    }
    if (upper == "TABLESAMPLE") {
      return Refuse(t, "TABLESAMPLE is not supported; write ORDER BY random() LIMIT n");
    }
    if (upper == "INTERVAL") {
      return Refuse(t, "INTERVAL literals are not supported; use date_add(d, n) / date_sub(d, n)");
    }
    if (upper == "RLIKE" || upper == "REGEXP") {
      out->push_back({"REGEXP"});
      return Status::Ok();
    }
    if (upper == "DIV") {
      out->push_back({"/"});  // integer division of integers, as Hive's DIV
      return Status::Ok();
    }
    if ((upper == "DATE" || upper == "TIMESTAMP") && next != nullptr && next->kind == TokenKind::kString) {
      return Status::Ok();  // DATE '2024-01-01' is the string itself
    }
    out->push_back({t.text});
    return Status::Ok();
  }

  Status Call(size_t* i, size_t end, std::vector<Piece>* out) {
    const Token& t = tokens_[*i];
    const std::string name = Lower(t.text);
    if (const char* refusal = RefusedFunction(name)) return Refuse(t, name + "(): " + refusal);
    if (name == "cast") return Cast(i, end, out);
    if (name == "if") {
      out->push_back({"iif", true});
    } else if (name == "isnull") {
      out->push_back({"hive_isnull", true});  // ISNULL is an operator keyword in SQLite
    } else {
      out->push_back({name, true});
    }
    return Status::Ok();
  }

  // CAST(x AS type) -> a registered function that yields NULL on bad input, as Hive does.
  Status Cast(size_t* i, size_t end, std::vector<Piece>* out) {
    const size_t open = *i + 1;
    const size_t close = FindClose(tokens_, open, end);
    if (close == std::string::npos) return Malformed(tokens_[*i], "CAST( is never closed");
    size_t as = std::string::npos;
    int depth = 0;
    for (size_t k = open + 1; k < close; ++k) {
      if (tokens_[k].IsSymbol("(")) ++depth;
      if (tokens_[k].IsSymbol(")")) --depth;
      if (depth == 0 && tokens_[k].Is("AS")) as = k;
    }
    if (as == std::string::npos) return Malformed(tokens_[*i], "CAST needs the form CAST(expr AS type)");
    size_t type_at = as + 1;
    REFINERY_ASSIGN_OR_RETURN(HiveType type, ParseHiveType(tokens_, &type_at));
    if (type_at != close) return Malformed(tokens_[type_at], "unexpected text after the type in CAST");
    static const std::map<TypeClass, const char*> kFunctions = {
        {TypeClass::kInteger, "hive_cast_int"},  {TypeClass::kReal, "hive_cast_double"},
        {TypeClass::kText, "hive_cast_string"},  {TypeClass::kBoolean, "hive_cast_boolean"},
        {TypeClass::kDate, "to_date"},           {TypeClass::kTimestamp, "hive_cast_timestamp"}};
    std::vector<Piece> inner;
    REFINERY_RETURN_IF_ERROR(Emit(open + 1, as, &inner));
    out->push_back({kFunctions.at(type.type_class), true});
    out->push_back({"("});
    out->push_back({Join(inner)});
    out->push_back({")"});
    *i = close;
    return Status::Ok();
  }

  const std::vector<Token>& tokens_;
  const std::set<std::string>& databases_;
};

}  // namespace

Result<HiveType> ParseHiveType(const std::vector<Token>& tokens, size_t* i) {
  if (*i >= tokens.size() || tokens[*i].kind != TokenKind::kWord) {
    const int line = tokens.empty() ? 1 : tokens[std::min(*i, tokens.size() - 1)].line;
    return Status::InvalidArgument("line " + std::to_string(line) + ": a column type is missing", kSyntaxCode);
  }
  const Token& t = tokens[*i];
  const std::string name = Lower(t.text);
  if (name == "array" || name == "map" || name == "struct" || name == "uniontype") {
    return Refuse(t, "the complex type " + name + "<...> is not supported; declare the column STRING and use "
                      "split(col, ',') with size() and col[i]");
  }
  if (name == "binary") return Refuse(t, "the type BINARY is not supported; declare the column STRING");
  HiveType type = HiveTypeFromName(name);
  if (type.name != name && !(name == "integer" || name == "real" || name == "numeric")) {
    return Refuse(t, "unknown type " + t.text +
                         "; use one of tinyint, smallint, int, bigint, float, double, decimal(p,s), string, "
                         "varchar(n), char(n), boolean, date, timestamp");
  }
  ++*i;
  if (name == "double" && *i < tokens.size() && tokens[*i].Is("PRECISION")) ++*i;
  if (*i < tokens.size() && tokens[*i].IsSymbol("(")) {
    const size_t close = FindClose(tokens, *i, tokens.size());
    if (close == std::string::npos) return Malformed(t, "the type " + t.text + "( is never closed");
    std::string args;
    for (size_t k = *i; k <= close; ++k) args += tokens[k].text;
    type.name += args;
    *i = close + 1;
  }
  return type;
}

HiveType HiveTypeFromName(const std::string& raw) {
  const std::string name = Lower(raw);
  const std::string base = name.substr(0, name.find('('));
  HiveType type;
  type.name = name;
  if (base == "tinyint" || base == "smallint" || base == "int" || base == "bigint") {
    type.type_class = TypeClass::kInteger;
  } else if (base == "integer") {
    type = {"int", TypeClass::kInteger};
  } else if (base == "float" || base == "double" || base == "decimal") {
    type.type_class = TypeClass::kReal;
  } else if (base == "real" || base == "numeric") {
    type = {base == "real" ? "float" : "decimal", TypeClass::kReal};
  } else if (base == "string" || base == "varchar" || base == "char") {
    type.type_class = TypeClass::kText;
  } else if (base == "boolean") {
    type.type_class = TypeClass::kBoolean;
  } else if (base == "date") {
    type.type_class = TypeClass::kDate;
  } else if (base == "timestamp") {
    type.type_class = TypeClass::kTimestamp;
  } else {
    type = {"string", TypeClass::kText};  // unknown: the caller compares names
  }
  return type;
}

HiveType HiveTypeFromValueType(data::ValueType type) {
  switch (type) {
    case data::ValueType::kBoolean: return {"boolean", TypeClass::kBoolean};
    case data::ValueType::kInteger: return {"bigint", TypeClass::kInteger};
    case data::ValueType::kDecimal:
    case data::ValueType::kFloat: return {"double", TypeClass::kReal};
    case data::ValueType::kDate: return {"date", TypeClass::kDate};
    case data::ValueType::kTimestamp: return {"timestamp", TypeClass::kTimestamp};
    default: return {"string", TypeClass::kText};
  }
}

data::ValueType ValueTypeOf(TypeClass type_class) {
  switch (type_class) {
    case TypeClass::kInteger: return data::ValueType::kInteger;
    case TypeClass::kReal: return data::ValueType::kFloat;
    case TypeClass::kBoolean: return data::ValueType::kBoolean;
    case TypeClass::kDate: return data::ValueType::kDate;
    case TypeClass::kTimestamp: return data::ValueType::kTimestamp;
    case TypeClass::kText: break;
  }
  return data::ValueType::kText;
}

const char* SqliteDeclaration(TypeClass type_class) {
  switch (type_class) {
    case TypeClass::kInteger: return "BIGINT";
    case TypeClass::kReal: return "DOUBLE";
    case TypeClass::kBoolean: return "BOOLEAN";
    case TypeClass::kDate: return "DATE";
    case TypeClass::kTimestamp: return "TIMESTAMP";
    case TypeClass::kText: break;
  }
  return "TEXT";
}

Result<std::string> TranslateTokens(const std::vector<Token>& tokens, size_t begin, size_t end,
                                    const std::set<std::string>& databases) {
  return Translator(tokens, databases).Run(begin, end);
}

std::string QuoteName(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    out.push_back(c);
    if (c == '"') out.push_back('"');
  }
  return out + "\"";
}

std::string QuoteString(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  return out + "'";
}

}  // namespace refinery::sql::internal
