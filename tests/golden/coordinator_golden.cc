// Golden handler for tests/data/coordinator/. `@mode` picks what a case runs:
//
//   el           each input line is an expression, evaluated as at action
//                start (or @phase submit: ResolveSubmitText; @phase freq:
//                EvaluateFrequency, printed "<value> <unit> <end-of>").
//                Context: @ds freq=<f> init=<t> tz=<tz> (one dataset),
//                @tz <job tz>, @nominal, @actual, @id, @name, @user,
//                @conf key=value, @exists <uri> (one per existing file,
//                for coord:latest).
//   cron         input: a cron frequency; @after <t>, @count N → fire times.
//   parse        input: coordinator.xml; output: a summary of the app.
//   materialize  input: coordinator.xml, or empty to build one from @start,
//                @end, @frequency, @timezone, @throttle, @execution. @now
//                (FakeClock), @pause, @window <minutes>, @runs N, @waiting N,
//                @local (also print nominal times in the job time zone),
//                @conf key=value, @user. Output: "@n <nominal>" lines,
//                "  in|out <name> <uri>,<uri>" lines, then last/next/done.
//   next         @action <n> <nominal> with the @start/@end/... job.
#include <algorithm>
#include <sstream>

#include "coordinator/coord_el.h"
#include "coordinator/coordinator.h"
#include "coordinator/cron.h"
#include "core/time_format.h"
#include "golden/golden.h"

namespace refinery::golden {
namespace {

using coordinator::CoordinatorApp;

std::string KeyOf(const std::string& kv) { return kv.substr(0, kv.find('=')); }
std::string ValueOf(const std::string& kv) {
  size_t eq = kv.find('=');
  return eq == std::string::npos ? "" : kv.substr(eq + 1);
}

Properties ConfOf(const GoldenCase& c) {
  Properties conf;
  for (const std::string& kv : ContextValues(c, "conf")) conf.Set(KeyOf(kv), ValueOf(kv));
  return conf;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// "freq=${coord:days(1)} init=2009-09-01T23:59Z tz=UTC" → a dataset.
Result<coordinator::Dataset> DatasetOf(const std::string& spec) {
  coordinator::Dataset ds;
  ds.name = "ds";
  std::stringstream in(spec);
  std::string item;
  std::string freq = "1", init = "1970-01-01T00:00Z", tz = "UTC";
  while (in >> item) {
    if (KeyOf(item) == "freq") freq = ValueOf(item);
    if (KeyOf(item) == "init") init = ValueOf(item);
    if (KeyOf(item) == "tz") tz = ValueOf(item);
    if (KeyOf(item) == "uri") ds.uri_template = ValueOf(item);
  }
  coordinator::FrequencyOptions fo;
  fo.allow_cron = false;
  REFINERY_ASSIGN_OR_RETURN(ds.frequency, coordinator::EvaluateFrequency(freq, fo));
  REFINERY_ASSIGN_OR_RETURN(ds.initial_instance, ParseOozieTime(init));
  REFINERY_ASSIGN_OR_RETURN(ds.timezone, coordinator::TimeZone::Find(tz));
  return ds;
}

Result<std::string> RunEl(const GoldenCase& c) {
  const std::string phase = ContextValue(c, "phase");
  Properties conf = ConfOf(c);
  std::string out;
  if (phase == "freq") {
    for (const std::string& line : Lines(c.input)) {
      REFINERY_ASSIGN_OR_RETURN(coordinator::Frequency f, coordinator::EvaluateFrequency(line, {}));
      out += (out.empty() ? "" : "\n") + f.text + " " + coordinator::TimeUnitName(f.unit) + " " +
             coordinator::TimeUnitName(f.end_of);
    }
    return out;
  }
  if (phase == "submit") {
    for (const std::string& line : Lines(c.input)) {
      REFINERY_ASSIGN_OR_RETURN(std::string v, coordinator::ResolveSubmitText(line, &conf, ContextValue(c, "user")));
      out += (out.empty() ? "" : "\n") + v;
    }
    return out;
  }
  std::optional<coordinator::Dataset> ds;
  if (!ContextValue(c, "ds").empty()) {
    REFINERY_ASSIGN_OR_RETURN(ds, DatasetOf(ContextValue(c, "ds")));
  }
  coordinator::CoordElContext ctx;
  ctx.dataset = ds ? &*ds : nullptr;
  if (!ContextValue(c, "tz").empty()) {
    REFINERY_ASSIGN_OR_RETURN(ctx.job_timezone, coordinator::TimeZone::Find(ContextValue(c, "tz")));
  }
  if (!ContextValue(c, "nominal").empty()) {
    REFINERY_ASSIGN_OR_RETURN(ctx.nominal_time, ParseOozieTime(ContextValue(c, "nominal")));
  }
  if (!ContextValue(c, "actual").empty()) {
    REFINERY_ASSIGN_OR_RETURN(ctx.actual_time, ParseOozieTime(ContextValue(c, "actual")));
  }
  ctx.action_id = ContextValue(c, "id");
  ctx.name = ContextValue(c, "name");
  ctx.user = ContextValue(c, "user");
  ctx.conf = &conf;
  const std::vector<std::string> existing = ContextValues(c, "exists");
  if (!existing.empty()) {
    ctx.data_exists = [existing](const std::string& uri) {
      return std::find(existing.begin(), existing.end(), uri) != existing.end();
    };
  }
  for (const std::string& line : Lines(c.input)) {
    REFINERY_ASSIGN_OR_RETURN(std::string v, coordinator::EvaluateCoordText(line, ctx));
    out += (out.empty() ? "" : "\n") + v;
  }
  return out;
}

Result<std::string> RunCron(const GoldenCase& c) {
  REFINERY_ASSIGN_OR_RETURN(coordinator::CronSchedule cron, coordinator::CronSchedule::Parse(c.input));
  REFINERY_ASSIGN_OR_RETURN(TimePoint t, ParseOozieTime(ContextValue(c, "after")));
  int count = ContextValue(c, "count").empty() ? 1 : std::stoi(ContextValue(c, "count"));
  std::string out;
  for (int i = 0; i < count; ++i) {
    std::optional<TimePoint> next = cron.NextAfter(t);
    if (!next) return out + (out.empty() ? "" : " ") + "never";
    out += (out.empty() ? "" : " ") + FormatOozieTime(*next);
    t = *next;
  }
  return out;
}

std::string AppXml(const GoldenCase& c) {
  if (!c.input.empty()) return c.input;
  auto get = [&](const char* key, const char* fallback) {
    std::string v = ContextValue(c, key);
    return v.empty() ? std::string(fallback) : v;
  };
  std::string controls;
  if (!ContextValue(c, "throttle").empty()) controls += "<throttle>" + ContextValue(c, "throttle") + "</throttle>";
  if (!ContextValue(c, "execution").empty()) {
    controls = "<execution>" + ContextValue(c, "execution") + "</execution>" + controls;
  }
  return "<coordinator-app name='" + get("name", "test-coord") + "' frequency='" + get("frequency", "60") +
         "' start='" + get("start", "2009-01-01T00:00Z") + "' end='" + get("end", "2009-01-02T00:00Z") +
         "' timezone='" + get("timezone", "UTC") + "' xmlns='uri:oozie:coordinator:0.4'>" +
         (controls.empty() ? "" : "<controls>" + controls + "</controls>") +
         "<action><workflow><app-path>hdfs:///app</app-path></workflow></action></coordinator-app>";
}

Result<CoordinatorApp> ParseApp(const GoldenCase& c, const Properties& conf) {
  coordinator::ParseOptions options;
  options.job_conf = &conf;
  options.user = ContextValue(c, "user");
  options.check_maximum_frequency = ContextValue(c, "check-max-frequency") == "true";
  return coordinator::ParseCoordinatorXml(AppXml(c), options);
}

Result<std::string> RunParse(const GoldenCase& c) {
  Properties conf = ConfOf(c);
  REFINERY_ASSIGN_OR_RETURN(CoordinatorApp app, ParseApp(c, conf));
  std::ostringstream out;
  out << "app " << app.name << " " << app.xmlns << "\n";
  out << "frequency " << app.frequency.text << " " << coordinator::TimeUnitName(app.frequency.unit) << " "
      << coordinator::TimeUnitName(app.frequency.end_of) << "\n";
  out << "window " << FormatOozieTime(app.start) << " " << FormatOozieTime(app.end) << " " << app.timezone.id()
      << "\n";
  out << "controls timeout=" << app.controls.timeout_minutes << " concurrency=" << app.controls.concurrency
      << " execution=" << coordinator::ExecutionName(app.controls.execution)
      << " throttle=" << app.controls.throttle << "\n";
  for (const auto& ds : app.datasets) {
    out << "dataset " << ds.name << " " << ds.frequency.text << " " << coordinator::TimeUnitName(ds.frequency.unit)
        << " " << FormatOozieTime(ds.initial_instance) << " " << ds.timezone.id() << " " << ds.uri_template
        << " done=" << ds.DoneFlagOrDefault() << "\n";
  }
  for (const auto* events : {&app.input_events, &app.output_events}) {
    for (const auto& ev : *events) {
      out << (events == &app.input_events ? "in " : "out ") << ev.name << " " << ev.dataset;
      for (const auto& i : ev.instances) out << " " << i;
      if (!ev.start_instance.empty()) out << " " << ev.start_instance << ".." << ev.end_instance;
      out << "\n";
    }
  }
  out << "app-path " << app.app_path << "\n";
  for (const auto& [k, v] : app.action_configuration.entries()) out << "conf " << k << "=" << v << "\n";
  if (!app.sla_xml.empty()) out << "sla yes\n";
  return out.str();
}

Result<std::string> RunMaterialize(const GoldenCase& c) {
  Properties conf = ConfOf(c);
  REFINERY_ASSIGN_OR_RETURN(CoordinatorApp app, ParseApp(c, conf));
  REFINERY_ASSIGN_OR_RETURN(TimePoint now, ParseOozieTime(ContextValue(c, "now")));
  FakeClock clock(now);
  coordinator::MaterializeOptions options;
  if (!ContextValue(c, "window").empty()) options.window = std::chrono::minutes(std::stoi(ContextValue(c, "window")));
  coordinator::Materializer materializer(&app, &clock, options);
  coordinator::JobState state;
  state.job_id = "0000000-000000000000000-oozie-C";
  state.user = ContextValue(c, "user");
  state.conf = conf;
  if (!ContextValue(c, "pause").empty()) {
    REFINERY_ASSIGN_OR_RETURN(state.pause_time, ParseOozieTime(ContextValue(c, "pause")));
  }
  if (!ContextValue(c, "waiting").empty()) state.waiting_actions = std::stoi(ContextValue(c, "waiting"));
  const int runs = ContextValue(c, "runs").empty() ? 1 : std::stoi(ContextValue(c, "runs"));
  const bool local = !ContextValue(c, "local").empty();
  std::ostringstream out;
  coordinator::MaterializeResult r;
  for (int i = 0; i < runs; ++i) {
    REFINERY_ASSIGN_OR_RETURN(r, materializer.Materialize(state));
    for (const auto& a : r.actions) {
      out << "@" << a.number << " " << FormatOozieTime(a.nominal_time);
      if (local) {
        coordinator::LocalFields f = app.timezone.ToLocal(a.nominal_time);
        char buf[32];
        std::snprintf(buf, sizeof buf, " %02d-%02d %02d:%02d", f.month, f.day, f.hour, f.minute);
        out << buf;
      }
      out << " " << a.status << "\n";
      for (const auto* events : {&a.inputs, &a.outputs}) {
        for (const auto& d : *events) {
          out << "  " << (events == &a.inputs ? "in " : "out ") << d.name << " ";
          for (size_t k = 0; k < d.uris.size(); ++k) out << (k ? "," : "") << d.uris[k];
          if (!d.unresolved.empty()) out << (d.uris.empty() ? "" : ",") << d.unresolved;
          out << "\n";
        }
      }
    }
    state.last_action_number = r.last_action_number;
    state.next_materialized_time = r.next_materialized_time;
    state.waiting_actions += static_cast<int64_t>(r.actions.size());
    if (!ContextValue(c, "waiting-reset").empty()) state.waiting_actions = 0;
  }
  out << "last " << r.last_action_number << "\n";
  out << "next " << (r.next_materialized_time ? FormatOozieTime(*r.next_materialized_time) : "none") << "\n";
  out << "done " << (r.done ? "true" : "false");
  return out.str();
}

Result<std::string> RunNext(const GoldenCase& c) {
  Properties conf = ConfOf(c);
  REFINERY_ASSIGN_OR_RETURN(CoordinatorApp app, ParseApp(c, conf));
  const std::string spec = ContextValue(c, "action");
  const size_t space = spec.find(' ');
  REFINERY_ASSIGN_OR_RETURN(TimePoint nominal, ParseOozieTime(spec.substr(space + 1)));
  REFINERY_ASSIGN_OR_RETURN(std::optional<TimePoint> next,
                            coordinator::NextNominalTime(app, std::stoll(spec.substr(0, space)), nominal));
  return next ? FormatOozieTime(*next) : std::string("null");
}

Result<std::string> RunCoordinatorCase(const GoldenCase& c) {
  const std::string mode = ContextValue(c, "mode");
  if (mode == "el") return RunEl(c);
  if (mode == "cron") return RunCron(c);
  if (mode == "parse") return RunParse(c);
  if (mode == "materialize") return RunMaterialize(c);
  if (mode == "next") return RunNext(c);
  return Status::InvalidArgument("unknown @mode [" + mode + "]: el, cron, parse, materialize, next");
}

const bool kRegistered = RegisterGoldenHandler("coordinator", RunCoordinatorCase);

}  // namespace
}  // namespace refinery::golden
