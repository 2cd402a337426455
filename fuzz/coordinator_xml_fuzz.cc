// libFuzzer: arbitrary bytes through ParseCoordinatorXml, the Materializer,
// NextNominalTime and the action-start EL. Nothing may crash, hang or throw.
// The last byte picks options and the fake clock's position, so catch-up,
// window and LAST_ONLY paths are all reached from whole-file seeds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "coordinator/coord_el.h"
#include "coordinator/coordinator.h"
#include "core/time_format.h"

namespace coordinator = refinery::coordinator;
using refinery::FakeClock;
using refinery::Properties;
using refinery::Result;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  const uint8_t flags = data[size - 1];
  const std::string xml(reinterpret_cast<const char*>(data), size);

  Properties conf;
  conf.Set("nameNode", "hdfs://nn:8020");
  conf.Set("examplesRoot", "examples");
  conf.Set("queueName", "default");
  conf.Set("resourceManager", "rm:8032");
  conf.Set("workflowAppUri", "hdfs://nn:8020/app");
  conf.Set("start", "2010-01-01T01:00Z");
  conf.Set("end", (flags & 1) ? "2010-01-01T03:00Z" : "2010-03-01T00:00Z");
  conf.Set("loop", "${loop}");
  coordinator::ParseOptions options;
  options.job_conf = &conf;
  options.user = "fuzz";
  options.check_maximum_frequency = (flags & 2) != 0;
  Result<coordinator::CoordinatorApp> app = coordinator::ParseCoordinatorXml(xml, options);
  if (!app.ok()) return 0;

  FakeClock clock(app->start + std::chrono::minutes(int64_t{flags >> 2} * 97));
  coordinator::Materializer materializer(&*app, &clock);
  coordinator::JobState state;
  state.job_id = "0000000-000000000000000-oozie-C";
  state.user = "fuzz";
  state.conf = conf;
  for (int run = 0; run < 3; ++run) {
    Result<coordinator::MaterializeResult> r = materializer.Materialize(state);
    if (!r.ok()) break;
    for (const coordinator::MaterializedAction& action : r->actions) {
      coordinator::CoordElContext ctx;
      ctx.job_timezone = app->timezone;
      ctx.nominal_time = action.nominal_time;
      ctx.actual_time = action.created_time;
      ctx.action_id = action.id;
      ctx.name = app->name;
      ctx.user = "fuzz";
      ctx.conf = &conf;
      ctx.action = &action;
      for (const auto& [name, value] : app->action_configuration.entries()) {
        (void)coordinator::EvaluateCoordText(value, ctx);
      }
      (void)coordinator::NextNominalTime(*app, action.number, action.nominal_time);
    }
    state.last_action_number = r->last_action_number;
    state.next_materialized_time = r->next_materialized_time;
    clock.Advance(std::chrono::hours(1));
    if (r->done) break;
  }
  return 0;
}
