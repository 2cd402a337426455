// The HTTP face of `refinery server`: one HttpServer whose requests are
// routed to the Oozie API (/oozie/...), Prometheus metrics (/metrics) and the
// web UI (web_ui.h), each behind the access check, with every request counted
// in the metrics. It borrows the engine and store; the CLI owns them.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "engine/engine.h"
#include "scheduler/coordinator_scheduler.h"
#include "serve/access.h"
#include "serve/http_server.h"
#include "serve/metrics.h"
#include "serve/model_host.h"
#include "serve/web_ui.h"
#include "store/store.h"

namespace refinery::serve {

struct ServerOptions {
  HttpServerOptions http;
  AccessPolicy access;
  std::string build_version = "0.1.0";
  // The web UI (web_ui.h): the data home's file system, to show quality
  // reports (null: not shown), and extra pages by path prefix ("/ui/models").
  fs::FileSystem* files = nullptr;
  std::map<std::string, WebPageHandler> ui_pages;
  // The model registry; null = no /api/v1 (models and predictions).
  registry::Registry* models = nullptr;
  ModelHostOptions model_host;
};

class Server {
 public:
  // The engine should get metrics() as an observer before work starts.
  // `scheduler` may be null (no coordinators); `engine` may be null for a
  // replica that only serves predictions (then /oozie answers 503).
  static Result<std::unique_ptr<Server>> Start(engine::Engine* engine, scheduler::CoordinatorScheduler* scheduler,
                                               store::Store* store, ServerOptions options);
  ~Server();

  int port() const;
  std::string url() const;  // "http://127.0.0.1:11000"
  Metrics* metrics();
  ModelHost* model_host();  // null without a registry
  void Stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace refinery::serve
