// Bundle jobs on the Oozie Web Services API (SPEC.md §10): submission
// (oozie.bundle.application.path, with or without action=start), the
// `jobtype=bundle` list as {"bundlejobs":[..],"total","offset","len"},
// show=info|definition|status for -B ids (BundleJobBean keys, with the
// coordinators under bundleCoordJobs), and PUT action=start|kill|suspend|
// resume|change|bundle-rerun, and the bundle dry run. OozieApi routes here;
// the scheduler does the work.
#pragma once

#include <string>

#include "core/properties.h"
#include "scheduler/coordinator_scheduler.h"
#include "serve/http.h"
#include "store/store.h"

namespace refinery::serve {

// `scheduler` may be null: then bundles are refused (E0307).
HttpResponse SubmitBundle(const HttpRequest& request, const Properties& conf,
                          scheduler::CoordinatorScheduler* scheduler);
// `first` is 1-based; `filter` may name status=X (other keys are ignored).
HttpResponse ListBundles(const HttpRequest& request, store::Store* store, int first, int count,
                         const std::string& console_base);
HttpResponse ShowBundle(const HttpRequest& request, const std::string& id, store::Store* store,
                        const std::string& console_base);
HttpResponse ChangeBundle(const HttpRequest& request, const std::string& id,
                          scheduler::CoordinatorScheduler* scheduler);
// POST /v2/jobs?action=dryrun with a bundle app path: as Oozie, 201 and
// {"id": "<bundle.xml resolved>\n"}; Refinery adds "coordinators", each
// enabled coordinator validated as at kick-off (name, frequency, timeUnit,
// startTime, endTime, timeZone). Errors as for a submission.
HttpResponse DryRunBundle(const Properties& conf, scheduler::CoordinatorScheduler* scheduler);
// The bundle as Oozie's dry run prints it: bundle.xml with every ${} resolved
// (values of secret-named properties shown as *****, as everywhere else).
std::string RenderResolvedBundleXml(const coordinator::BundleApp& app);

}  // namespace refinery::serve
