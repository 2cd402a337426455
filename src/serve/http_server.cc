#include "serve/http_server.h"

// Asio's awaitable.hpp uses std::exchange without including <utility> (Boost
// 1.74 under C++20); include it first.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "core/log.h"

namespace refinery::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

HttpRequest ToRequest(const http::request<http::string_body>& message, bool* ok) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  *ok = ParseTarget(request.target, &request.path, &request.query);
  for (const auto& field : message) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    request.headers[name] = std::string(field.value());
  }
  request.body = message.body();
  return request;
}

http::response<http::string_body> ToMessage(const HttpResponse& response, unsigned version, bool keep_alive) {
  http::response<http::string_body> message{static_cast<http::status>(response.status), version};
  message.set(http::field::server, "Refinery");
  message.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) message.set(name, value);
  message.keep_alive(keep_alive);
  message.body() = response.body;
  message.prepare_payload();
  return message;
}

}  // namespace

HttpResponse ErrorResponse(int status, const std::string& error_code, const std::string& message) {
  HttpResponse response;
  response.status = status;
  const std::string full = error_code.empty() ? message : error_code + ": " + message;
  response.body = nlohmann::json{{"httpStatusCode", status}, {"errorMessage", full}}.dump();
  if (!error_code.empty()) response.headers.emplace_back("oozie-error-code", error_code);
  // Header values cannot hold line breaks; the body keeps the full text.
  std::string header_message = full.substr(0, 1024);
  std::replace(header_message.begin(), header_message.end(), '\n', ' ');
  std::replace(header_message.begin(), header_message.end(), '\r', ' ');
  response.headers.emplace_back("oozie-error-message", header_message);
  return response;
}

class Connection;

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler handler;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::shared_ptr<Connection>> connections;
  bool stopped = false;

  void Accept();
  void Forget(const std::shared_ptr<Connection>& connection) {
    std::lock_guard<std::mutex> lock(mu);
    connections.erase(connection);
  }
};

// One client connection: read a request, answer it, repeat while keep-alive.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, HttpServer::Impl* server) : stream_(std::move(socket)), server_(server) {}

  void Begin() { asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); }); }

  void Close() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->stream_.close();
    });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(server_->options.max_header_bytes);
    parser_->body_limit(server_->options.max_body_bytes);
    stream_.expires_after(std::chrono::seconds(server_->options.idle_timeout_seconds));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, size_t) { self->OnRead(error); });
  }

  void OnRead(beast::error_code error) {
    if (error == http::error::body_limit) {
      return Reply(ErrorResponse(413, "E0300",
                                 "request body larger than " + std::to_string(server_->options.max_body_bytes) +
                                     " bytes; send less data per request"),
                   11, false);
    }
    if (error == http::error::header_limit) {
      return Reply(ErrorResponse(431, "E0300", "request headers larger than " +
                                                   std::to_string(server_->options.max_header_bytes) + " bytes"),
                   11, false);
    }
    if (error == http::error::end_of_stream || error == beast::error::timeout || error == asio::error::eof ||
        error == asio::error::operation_aborted || error == asio::error::connection_reset) {
      return Finish();
    }
    if (error) return Reply(ErrorResponse(400, "E0300", "malformed HTTP request: " + error.message()), 11, false);

    const auto& message = parser_->get();
    bool target_ok = true;
    HttpRequest request = ToRequest(message, &target_ok);
    HttpResponse response = target_ok ? Handle(request)
                                      : ErrorResponse(400, "E0300", "bad percent-escape in the request target");
    Reply(response, message.version(), message.keep_alive());
  }

  HttpResponse Handle(const HttpRequest& request) {
    try {
      return server_->handler(request);
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "HTTP " + request.method + " " + request.path + ": internal error: " + e.what());
      return ErrorResponse(500, "E0307", std::string("internal error: ") + e.what());
    }
  }

  void Reply(const HttpResponse& response, unsigned version, bool keep_alive) {
    auto message = std::make_shared<http::response<http::string_body>>(ToMessage(response, version, keep_alive));
    http::async_write(stream_, *message, [self = shared_from_this(), message](beast::error_code error, size_t) {
      if (error || message->need_eof()) return self->Finish();
      self->Read();
    });
  }

  void Finish() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    server_->Forget(shared_from_this());
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(io), [this](beast::error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted) return;
    if (!error) {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto connection = std::make_shared<Connection>(std::move(socket), this);
      {
        std::lock_guard<std::mutex> lock(mu);
        if (stopped) return;
        connections.insert(connection);
      }
      connection->Begin();
    }
    Accept();
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options, HttpHandler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  beast::error_code error;
  const auto address = asio::ip::make_address(options.address, error);
  if (error) {
    return Status::InvalidArgument("listen address \"" + options.address +
                                   "\" is not an IP address (use e.g. 127.0.0.1 or 0.0.0.0)");
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(options.port));
  impl->acceptor.open(endpoint.protocol(), error);
  if (!error) impl->acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) impl->acceptor.bind(endpoint, error);
  if (!error) impl->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return Status::IoError("cannot listen on " + options.address + ":" + std::to_string(options.port) + ": " +
                           error.message() + " (is another server running? choose another port with --port)");
  }
  impl->Accept();
  const int threads = std::max(1, options.threads);
  Impl* raw = impl.get();
  for (int i = 0; i < threads; ++i) raw->threads.emplace_back([raw] { raw->io.run(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::Stop() {
  if (!impl_) return;
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
    open.assign(impl_->connections.begin(), impl_->connections.end());
  }
  asio::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  for (auto& connection : open) connection->Close();
  // Let queued handlers finish, then stop the loop.
  asio::post(impl_->io, [impl = impl_.get()] { impl->io.stop(); });
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
}

}  // namespace refinery::serve
