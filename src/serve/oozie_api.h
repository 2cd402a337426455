// Oozie's Web Services API (SPEC.md §10) over the engine and the store, so
// existing Oozie clients and `refinery -oozie URL` work against a Refinery
// server: versions, admin, job submission, listing, show=info|definition|log|
// status|graph, and the job verbs. Paths are taken relative to /oozie.
// Requests reach it only after the access check (access.h).
#pragma once

#include <string>

#include "engine/engine.h"
#include "scheduler/coordinator_scheduler.h"
#include "serve/http.h"
#include "store/store.h"

namespace refinery::serve {

struct OozieApiOptions {
  std::string base_url = "http://127.0.0.1:11000/oozie";  // consoleUrl of jobs
  std::string build_version = "0.1.0";
};

class OozieApi {
 public:
  // `scheduler` may be null: coordinator submissions are then refused.
  OozieApi(engine::Engine* engine, scheduler::CoordinatorScheduler* scheduler, store::Store* store,
           OozieApiOptions options)
      : engine_(engine), scheduler_(scheduler), store_(store), options_(std::move(options)) {}

  // `request.path` starts with "/oozie".
  HttpResponse Handle(const HttpRequest& request) const;

  // A metrics label for a path: ids replaced, so labels stay few
  // ("/oozie/v2/job/{id}").
  static std::string RouteOf(const std::string& path);

 private:
  HttpResponse Admin(const HttpRequest& request, const std::string& resource) const;
  HttpResponse SubmitJob(const HttpRequest& request) const;
  HttpResponse ListJobs(const HttpRequest& request) const;
  HttpResponse ShowJob(const HttpRequest& request, const std::string& id) const;
  HttpResponse ShowGraph(const HttpRequest& request, const store::WorkflowJobRecord& job) const;
  HttpResponse ChangeJob(const HttpRequest& request, const std::string& id) const;
  HttpResponse ListCoordinators(const HttpRequest& request, int first, int count) const;
  HttpResponse ShowCoordinator(const HttpRequest& request, const std::string& id, bool v1) const;
  HttpResponse ChangeCoordinator(const HttpRequest& request, const std::string& id) const;
  HttpResponse DryRunCoordinator(const HttpRequest& request, const Properties& conf) const;

  engine::Engine* engine_;
  scheduler::CoordinatorScheduler* scheduler_;
  store::Store* store_;
  OozieApiOptions options_;
};

}  // namespace refinery::serve
