// A small blocking HTTP/1.1 client (one connection per call) for the CLI's
// remote mode and for tests: plain http:// only, with a timeout.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace refinery::serve {

struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string base_path;  // without a trailing slash, e.g. "/oozie"
};

// "http://127.0.0.1:11000/oozie" → host, port, "/oozie". https:// is refused
// with a message saying how to reach the server.
Result<HttpUrl> ParseHttpUrl(const std::string& url);

struct HttpCall {
  std::string method = "GET";
  std::string target;  // path and query, appended to base_path
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int timeout_seconds = 30;
};

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// Network failures are IoError naming the URL; any HTTP status is a reply.
Result<HttpReply> SendHttp(const HttpUrl& url, const HttpCall& call);

}  // namespace refinery::serve
