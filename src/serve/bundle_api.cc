#include "serve/bundle_api.h"

#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "core/xml_text.h"

#include "serve/http_server.h"
#include "serve/oozie_json.h"
#include "serve/redact.h"
#include "store/job_query.h"

namespace refinery::serve {
namespace {

using nlohmann::json;

HttpResponse NoScheduler() { return ErrorResponse(400, "E0307", "this server does not run bundles"); }

}  // namespace

std::string RenderResolvedBundleXml(const coordinator::BundleApp& app) {
  std::string xml = "<bundle-app xmlns=\"" + EscapeXml(app.xmlns) + "\" name=\"" + EscapeXml(app.name) + "\">\n";
  if (app.kickoff) {
    xml += "  <controls>\n    <kick-off-time>" + FormatOozieTime(*app.kickoff) + "</kick-off-time>\n  </controls>\n";
  }
  for (const coordinator::BundleCoordinator& entry : app.coordinators) {
    xml += "  <coordinator name=\"" + EscapeXml(entry.name) + "\"" + (entry.critical ? " critical=\"true\"" : "") +
           (entry.enabled ? "" : " enabled=\"false\"") + ">\n    <app-path>" + EscapeXml(entry.app_path) +
           "</app-path>\n";
    if (!entry.configuration.entries().empty()) {
      xml += "    <configuration>\n";
      for (const auto& [key, value] : entry.configuration.entries()) {
        xml += "      <property>\n        <name>" + EscapeXml(key) + "</name>\n        <value>" + (IsSecretKey(key) ? kRedacted : EscapeXml(value)) +
               "</value>\n      </property>\n";
      }
      xml += "    </configuration>\n";
    }
    xml += "  </coordinator>\n";
  }
  return xml + "</bundle-app>";
}

HttpResponse DryRunBundle(const Properties& conf, scheduler::CoordinatorScheduler* scheduler) {
  if (scheduler == nullptr) return NoScheduler();
  auto result = scheduler->DryRunBundle(conf);
  if (!result.ok()) return OozieStatusResponse(result.status());
  json coordinators = json::array();
  for (const auto& entry : result->coordinators) {
    coordinators.push_back({{"coordJobName", entry.name},
                            {"appName", entry.app.name},
                            {"frequency", entry.app.frequency.text},
                            {"timeUnit", coordinator::TimeUnitName(entry.app.frequency.unit)},
                            {"startTime", FormatOozieTime(entry.app.start)},
                            {"endTime", FormatOozieTime(entry.app.end)},
                            {"timeZone", entry.app.timezone.id()}});
  }
  return OozieJsonResponse({{"id", RenderResolvedBundleXml(result->app) + "\n"}, {"coordinators", coordinators}}, 201);
}

HttpResponse SubmitBundle(const HttpRequest& request, const Properties& conf,
                          scheduler::CoordinatorScheduler* scheduler) {
  if (scheduler == nullptr) return NoScheduler();
  const std::string action = request.Query("action");
  if (!action.empty() && action != "start") {
    return OozieInvalidParameter("action", action, "a bundle is submitted with or without action=start");
  }
  auto id = scheduler->SubmitBundle(conf, action == "start");
  if (!id.ok()) return OozieStatusResponse(id.status());
  return OozieJsonResponse({{"id", *id}}, 201);
}

HttpResponse ListBundles(const HttpRequest& request, store::Store* store, int first, int count,
                         const std::string& console_base) {
  auto filter = store::ParseJobFilter(request.Query("filter"));
  if (!filter.ok()) return OozieStatusResponse(filter.status());
  auto page = store->ListBundleJobs(filter->statuses, first - 1, count);
  if (!page.ok()) return OozieStatusResponse(page.status());
  json jobs = json::array();
  for (const auto& bundle : page->jobs) {
    auto coordinators = store->ListBundleCoordinatorJobs(bundle.id);
    if (!coordinators.ok()) return OozieStatusResponse(coordinators.status());
    jobs.push_back(BundleJobToJson(bundle, *coordinators, console_base));
  }
  return OozieJsonResponse({{"bundlejobs", std::move(jobs)}, {"total", page->total}, {"offset", first}, {"len", count}});
}

HttpResponse ShowBundle(const HttpRequest& request, const std::string& id, store::Store* store,
                        const std::string& console_base) {
  const std::string show = request.Query("show", "info");
  auto bundle = store->GetBundleJob(id);
  if (!bundle.ok()) return OozieStatusResponse(bundle.status());
  if (show == "status") return OozieJsonResponse({{"status", bundle->status}});
  if (show == "definition") {
    HttpResponse response;
    response.content_type = "application/xml;charset=UTF-8";
    response.body = RedactDefinitionXml(bundle->definition);
    return response;
  }
  if (show != "info") return OozieInvalidParameter("show", show, "a bundle takes show=info, definition or status");
  auto coordinators = store->ListBundleCoordinatorJobs(id);
  if (!coordinators.ok()) return OozieStatusResponse(coordinators.status());
  return OozieJsonResponse(BundleJobToJson(*bundle, *coordinators, console_base));
}

HttpResponse ChangeBundle(const HttpRequest& request, const std::string& id,
                          scheduler::CoordinatorScheduler* scheduler) {
  if (scheduler == nullptr) return NoScheduler();
  const std::string action = request.Query("action");
  Status status;
  if (action == "start") {
    status = scheduler->StartBundle(id);
  } else if (action == "kill") {
    status = scheduler->KillBundle(id);
  } else if (action == "suspend") {
    status = scheduler->SuspendBundle(id);
  } else if (action == "resume") {
    status = scheduler->ResumeBundle(id);
  } else if (action == "change") {
    status = scheduler->ChangeBundle(id, request.Query("value"));
  } else if (action == "bundle-rerun") {
    // Oozie: coord-scope=names&date-scope=dates&refresh=&nocleanup=; answers the actions rerun.
    scheduler::CoordinatorScheduler::BundleRerunRequest rerun;
    rerun.coordinators = request.Query("coord-scope");
    rerun.dates = request.Query("date-scope");
    rerun.refresh = request.Query("refresh") == "true";
    rerun.nocleanup = request.Query("nocleanup") == "true";
    auto actions = scheduler->RerunBundle(id, rerun);
    if (!actions.ok()) return OozieStatusResponse(actions.status());
    json list = json::array();
    for (const auto& record : *actions) list.push_back(CoordinatorActionToJson(record));
    return OozieJsonResponse({{"actions", list}});
  } else if (action == "ignore") {
    return ErrorResponse(400, "E0302", "Invalid parameter [Bundle Ignore Not supported]; ignore its coordinators");
  } else {
    return OozieInvalidParameter("action", action,
                                 "bundles take start, suspend, resume, kill, change or bundle-rerun");
  }
  if (!status.ok()) return OozieStatusResponse(status);
  HttpResponse response;
  return response;
}

}  // namespace refinery::serve
