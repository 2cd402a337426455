// serve: the HTTP side of Refinery. This header holds the plain request and
// response values every handler sees, so handlers never touch Beast types;
// http_server.h turns sockets into these values and back.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace refinery::serve {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // as received: path and query
  std::string path;                            // percent-decoded, no query
  std::map<std::string, std::string> query;    // percent-decoded; last value wins
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  std::string Header(const std::string& lower_name) const;
  std::string Query(const std::string& name, const std::string& fallback = "") const;
  bool HasQuery(const std::string& name) const { return query.count(name) > 0; }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json;charset=UTF-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Splits "/a/b?x=1&y=%20" into its decoded path and query parameters.
// Returns false for an undecodable target (bad %-escape).
bool ParseTarget(std::string_view target, std::string* path, std::map<std::string, std::string>* query);
std::string PercentDecode(std::string_view text, bool plus_is_space, bool* ok);
std::string PercentEncode(std::string_view text);

}  // namespace refinery::serve
