// GET /oozie/v2/sla?filter=... (SPEC §10): the SLA misses the store recorded
// for workflow jobs, workflow actions and coordinator actions, one summary
// per job or action as {"slaSummaryList":[...]}. Refinery records misses
// only (not MET events), so every summary listed has slaStatus MISS.
#pragma once

#include "serve/http.h"
#include "store/store.h"

namespace refinery::serve {

// Filter keys (`;`-separated key=value, Oozie's syntax): id, parent_id,
// app_name, app_type, event_status, nominal_start, nominal_end
// (yyyy-MM-ddTHH:mmZ, inclusive); `len` caps the list (default 1000).
// Unknown keys are E0303 naming the supported ones.
HttpResponse ListSlaSummaries(const HttpRequest& request, store::Store* store);

}  // namespace refinery::serve
