#include "serve/http_client.h"

// See http_server.cc: <utility> must come before Asio under C++20.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>

namespace refinery::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

Result<HttpUrl> ParseHttpUrl(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind("https://", 0) == 0) {
    return Status::InvalidArgument("server URL [" + url +
                                   "]: https is not supported by the client; use http:// on loopback or an SSH "
                                   "tunnel");
  }
  if (url.rfind(scheme, 0) != 0) {
    return Status::InvalidArgument("server URL [" + url + "] must start with http://, e.g. http://127.0.0.1:11000/oozie");
  }
  std::string rest = url.substr(scheme.size());
  HttpUrl parsed;
  const size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  parsed.base_path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!parsed.base_path.empty() && parsed.base_path.back() == '/') parsed.base_path.pop_back();
  const size_t colon = authority.rfind(':');
  if (colon != std::string::npos) {
    parsed.port = authority.substr(colon + 1);
    authority = authority.substr(0, colon);
  }
  parsed.host = authority;
  const bool port_ok = !parsed.port.empty() && std::all_of(parsed.port.begin(), parsed.port.end(), ::isdigit);
  if (parsed.host.empty() || !port_ok) {
    return Status::InvalidArgument("server URL [" + url + "] needs a host and a numeric port, e.g. http://127.0.0.1:11000/oozie");
  }
  return parsed;
}

Result<HttpReply> SendHttp(const HttpUrl& url, const HttpCall& call) {
  const std::string where = "http://" + url.host + ":" + url.port + url.base_path + call.target;
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(call.timeout_seconds));
    beast::error_code error;
    const auto endpoints = resolver.resolve(url.host, url.port, error);
    if (!error) stream.connect(endpoints, error);
    if (error) {
      return Status::IoError("cannot reach the server at " + where + ": " + error.message() +
                             " (is `refinery server` running? check -oozie / OOZIE_URL)");
    }
    const std::string target = url.base_path + call.target;
    http::request<http::string_body> request{http::string_to_verb(call.method), target.empty() ? "/" : target, 11};
    request.set(http::field::host, url.host);
    request.set(http::field::user_agent, "refinery-cli");
    for (const auto& [name, value] : call.headers) request.set(name, value);
    request.body() = call.body;
    request.prepare_payload();
    http::write(stream, request, error);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    if (!error) http::read(stream, buffer, parser, error);
    if (error) return Status::IoError("no answer from the server at " + where + ": " + error.message());
    HttpReply reply;
    const auto& message = parser.get();
    reply.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      reply.headers[name] = std::string(field.value());
    }
    reply.body = message.body();
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, error);
    return reply;
  } catch (const std::exception& e) {
    return Status::IoError("HTTP call to " + where + " failed: " + e.what());
  }
}

}  // namespace refinery::serve
