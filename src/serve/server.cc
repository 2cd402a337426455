#include "serve/server.h"

#include <atomic>
#include <chrono>

#include "serve/oozie_api.h"

namespace refinery::serve {

struct Server::Impl {
  engine::Engine* engine = nullptr;
  store::Store* store = nullptr;
  ServerOptions options;
  Metrics metrics;
  std::unique_ptr<OozieApi> oozie;  // set once the port is known
  std::atomic<bool> ready{false};
  std::unique_ptr<HttpServer> http;
  std::string url;

  HttpResponse Route(const HttpRequest& request, std::string* route);
  HttpResponse Handle(const HttpRequest& request);
};

namespace {

HttpResponse IndexPage(const std::string& url) {
  HttpResponse response;
  response.content_type = "text/html;charset=UTF-8";
  response.body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Refinery</title></head><body>"
      "<h1>Refinery server</h1><ul>"
      "<li><a href=\"/oozie/v2/jobs\">Workflow jobs (Oozie API, JSON)</a></li>"
      "<li><a href=\"/oozie/v2/admin/status\">Status</a></li>"
      "<li><a href=\"/metrics\">Metrics (Prometheus)</a></li></ul>"
      "<p>Oozie clients: <code>OOZIE_URL=" + url + "/oozie</code></p></body></html>";
  return response;
}

}  // namespace

HttpResponse Server::Impl::Route(const HttpRequest& request, std::string* route) {
  if (request.path == "/oozie" || request.path.rfind("/oozie/", 0) == 0) {
    *route = OozieApi::RouteOf(request.path);
    if (!ready.load()) return ErrorResponse(503, "E0300", "the server is starting; retry in a moment");
    return oozie->Handle(request);
  }
  if (request.path == "/metrics") {
    *route = "/metrics";
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics.Render(store);
    return response;
  }
  if (request.path == "/" || request.path == "/index.html") {
    *route = "/";
    return IndexPage(url);
  }
  *route = "other";
  return ErrorResponse(404, "E0300", "nothing at " + request.path + "; see / for what this server offers");
}

HttpResponse Server::Impl::Handle(const HttpRequest& request) {
  const auto began = std::chrono::steady_clock::now();
  std::string route = "other";
  HttpResponse response;
  if (auto denied = CheckAccess(options.access, request)) {
    response = *denied;
  } else {
    response = Route(request, &route);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  metrics.RecordHttp(request.method, route, response.status, seconds);
  return response;
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Start(engine::Engine* engine, scheduler::CoordinatorScheduler* scheduler,
                                              store::Store* store, ServerOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->engine = engine;
  impl->store = store;
  impl->options = std::move(options);
  Impl* raw = impl.get();
  REFINERY_ASSIGN_OR_RETURN(impl->http,
                            HttpServer::Start(raw->options.http, [raw](const HttpRequest& r) { return raw->Handle(r); }));
  const std::string host = raw->options.http.address == "0.0.0.0" ? "127.0.0.1" : raw->options.http.address;
  raw->url = "http://" + host + ":" + std::to_string(raw->http->port());
  OozieApiOptions api_options;
  api_options.base_url = raw->url + "/oozie";
  api_options.build_version = raw->options.build_version;
  raw->oozie = std::make_unique<OozieApi>(engine, scheduler, store, api_options);
  raw->ready.store(true);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

int Server::port() const { return impl_->http->port(); }
std::string Server::url() const { return impl_->url; }
Metrics* Server::metrics() { return &impl_->metrics; }

void Server::Stop() {
  if (impl_ && impl_->http) impl_->http->Stop();
}

}  // namespace refinery::serve
