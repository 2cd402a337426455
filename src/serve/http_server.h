// An HTTP/1.1 server on Boost.Beast: keep-alive, a fixed pool of threads
// running one io_context, bounded header and body sizes, idle timeouts. It
// knows nothing of Oozie or models; it hands each complete request to one
// HttpHandler and writes back what that returns. Oversized or malformed
// requests are answered (413/431/400) and the connection closed; they never
// reach the handler.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "serve/http.h"

namespace refinery::serve {

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // loopback unless configured
  int port = 11000;                   // 0 picks a free port (tests)
  int threads = 2;
  uint32_t max_header_bytes = 16 * 1024;
  uint64_t max_body_bytes = 16 * 1024 * 1024;
  int idle_timeout_seconds = 60;
};

class HttpServer {
 public:
  // Binds and listens (errors: address in use, bad address), then serves on
  // its own threads until Stop().
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options, HttpHandler handler);
  ~HttpServer();  // stops

  int port() const;  // the bound port
  // Stops accepting, closes connections, joins the threads. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The error body of every 4xx/5xx response, in Oozie's shape (ErrorServlet):
// {"httpStatusCode":N,"errorMessage":"..."} plus the oozie-error-code and
// oozie-error-message headers, so Oozie clients show the message.
HttpResponse ErrorResponse(int status, const std::string& error_code, const std::string& message);

}  // namespace refinery::serve
