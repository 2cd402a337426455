#include "serve/server.h"

#include <atomic>
#include <chrono>

#include "serve/model_api.h"
#include "serve/model_pages.h"
#include "serve/oozie_api.h"
#include "serve/web_ui.h"

namespace refinery::serve {

struct Server::Impl {
  engine::Engine* engine = nullptr;
  store::Store* store = nullptr;
  ServerOptions options;
  Metrics metrics;
  std::unique_ptr<OozieApi> oozie;  // set once the port is known; null on a serve-only replica
  std::unique_ptr<ModelHost> model_host;
  std::unique_ptr<ModelApi> model_api;
  std::unique_ptr<WebUi> ui;        // set once the port is known
  std::atomic<bool> ready{false};
  std::unique_ptr<HttpServer> http;
  std::string url;

  HttpResponse Route(const HttpRequest& request, std::string* route);
  HttpResponse Handle(const HttpRequest& request);
};

HttpResponse Server::Impl::Route(const HttpRequest& request, std::string* route) {
  if (request.path == "/oozie" || request.path.rfind("/oozie/", 0) == 0) {
    *route = OozieApi::RouteOf(request.path);
    if (!ready.load()) return ErrorResponse(503, "E0300", "the server is starting; retry in a moment");
    if (!oozie) return ErrorResponse(503, "E0300", "this server only serves predictions (--serve-only); run jobs on the main server");
    return oozie->Handle(request);
  }
  if (request.path.rfind("/api/v1/", 0) == 0 && model_api) {
    *route = ModelApi::RouteOf(request.path);
    return model_api->Handle(request);
  }
  if (request.path == "/metrics") {
    *route = "/metrics";
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics.Render(store);
    if (engine != nullptr) {
      response.body += "# HELP refinery_lease_takeovers_total Jobs this process took over from processes that "
                       "died or stalled.\n# TYPE refinery_lease_takeovers_total counter\n"
                       "refinery_lease_takeovers_total{process=\"" + engine->ProcessId() + "\"} " +
                       std::to_string(engine->LeaseTakeovers()) + "\n";
    }
    return response;
  }
  if (WebUi::Serves(request.path)) {
    *route = WebUi::RouteOf(request.path);
    if (!ready.load()) return ErrorResponse(503, "E0300", "the server is starting; retry in a moment");
    return ui->Handle(request);
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
  if (engine != nullptr) raw->oozie = std::make_unique<OozieApi>(engine, scheduler, store, api_options);
  if (raw->options.models != nullptr) {
    raw->model_host = std::make_unique<ModelHost>(raw->options.models, store, &raw->metrics, raw->options.model_host);
    REFINERY_RETURN_IF_ERROR(raw->model_host->Start());
    raw->model_api = std::make_unique<ModelApi>(raw->options.models, raw->model_host.get(),
                                                ModelApiOptions{.server_url = raw->url});
  }
  WebUiOptions ui_options;
  ui_options.store = store;
  ui_options.files = raw->options.files;
  ui_options.base_url = raw->url;
  ui_options.build_version = raw->options.build_version;
  raw->ui = std::make_unique<WebUi>(std::move(ui_options));
  for (const auto& [prefix, handler] : raw->options.ui_pages) raw->ui->AddPage(prefix, handler);
  if (raw->model_host) raw->ui->AddPage("/ui/models", MakeModelPages(raw->options.models, raw->model_host.get()));
  raw->ready.store(true);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

int Server::port() const { return impl_->http->port(); }
std::string Server::url() const { return impl_->url; }
Metrics* Server::metrics() { return &impl_->metrics; }
ModelHost* Server::model_host() { return impl_->model_host.get(); }

void Server::Stop() {
  if (impl_ && impl_->http) impl_->http->Stop();
  if (impl_ && impl_->model_host) impl_->model_host->Stop();
}

}  // namespace refinery::serve
