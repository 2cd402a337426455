// coordinator.xml → CoordinatorApp, with Oozie's submit-time checks.
#include <algorithm>
#include <set>
#include <sstream>

#include <pugixml.hpp>

#include "coordinator/coord_el.h"
#include "coordinator/coordinator.h"
#include "coordinator/cron.h"
#include "coordinator/internal.h"
#include "core/time_format.h"

namespace refinery::coordinator {
namespace internal {

std::string_view LocalName(std::string_view name) {
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string Text(const pugi::xml_node& n) {
  std::string out;
  for (pugi::xml_node c : n.children()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

std::vector<pugi::xml_node> Children(const pugi::xml_node& parent, std::string_view local) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c : parent.children()) {
    if (c.type() == pugi::node_element && LocalName(c.name()) == local) out.push_back(c);
  }
  return out;
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view local) {
  for (pugi::xml_node c : parent.children()) {
    if (c.type() == pugi::node_element && LocalName(c.name()) == local) return c;
  }
  return pugi::xml_node();
}

}  // namespace internal

namespace {

using internal::Child;
using internal::Children;
using internal::LocalName;
using internal::Text;
using internal::Trim;

constexpr int64_t kMaxTimeout = 86400;
constexpr int64_t kMaxThrottle = 500;

std::string Serialize(const pugi::xml_node& n) {
  std::ostringstream os;
  n.print(os, "", pugi::format_raw);
  return os.str();
}

class Parser {
 public:
  Parser(std::string_view xml, const ParseOptions& options) : xml_(xml), options_(options) {
    if (options.job_conf != nullptr) conf_ = *options.job_conf;
    user_ = options.user.empty() ? conf_.GetOr("user.name", "") : options.user;
  }

  Result<CoordinatorApp> Parse();

 private:
  int LineOf(const pugi::xml_node& n) const {
    ptrdiff_t off = n.offset_debug();
    if (off < 0) return 0;
    size_t end = std::min(static_cast<size_t>(off), xml_.size());
    return 1 + static_cast<int>(std::count(xml_.begin(), xml_.begin() + static_cast<ptrdiff_t>(end), '\n'));
  }
  Status At(const pugi::xml_node& n, Status s) const {
    return s.WithContext(options_.source_name + ":" + std::to_string(LineOf(n)));
  }
  Status Error(const pugi::xml_node& n, const std::string& code, const std::string& message) const {
    return At(n, Status::InvalidArgument(message, code));
  }
  Result<std::string> Resolve(const pugi::xml_node& n, std::string_view text) const {
    Result<std::string> r = ResolveSubmitText(text, &conf_, user_);
    if (!r.ok()) return At(n, r.status());
    return r;
  }
  Result<std::string> Attribute(const pugi::xml_node& n, const char* name, bool required = true) const {
    pugi::xml_attribute a = n.attribute(name);
    if (!a) {
      if (!required) return std::string();
      return Error(n, "E0701", std::string("XML schema error, element [") + n.name() +
                                   "] is missing the required attribute [" + name + "]");
    }
    return Resolve(n, a.value());
  }
  Result<TimePoint> Date(const pugi::xml_node& n, const std::string& field, const std::string& text) const {
    Result<TimePoint> t = ParseCoordTime(Trim(text));
    if (!t.ok()) {
      return Error(n, "E1003", "Invalid coordinator application attributes, parameter [" + field + "] = [" + text +
                                   "] must be Date in UTC format (yyyy-MM-dd'T'HH:mm'Z')");
    }
    return t;
  }
  Result<TimeZone> Zone(const pugi::xml_node& n, const std::string& text) const {
    Result<TimeZone> tz = TimeZone::Find(Trim(text));
    if (!tz.ok()) {
      return Error(n, "E1003", "Invalid coordinator application attributes, parameter [timezone] = [" + text +
                                   "] must be a valid TZ");
    }
    return tz;
  }

  Status ParseParameters(const pugi::xml_node& root, CoordinatorApp* app);
  Status ParseHeader(const pugi::xml_node& root, CoordinatorApp* app);
  Status ParseControls(const pugi::xml_node& controls, Controls* out);
  Status ParseDatasets(const pugi::xml_node& datasets, CoordinatorApp* app);
  Status ParseEvents(const pugi::xml_node& events, const char* tag, const CoordinatorApp& app,
                     std::vector<DataEvent>* out);
  Status ParseAction(const pugi::xml_node& action, CoordinatorApp* app);

  std::string_view xml_;
  const ParseOptions& options_;
  Properties conf_;
  std::string user_;
};

Status Parser::ParseParameters(const pugi::xml_node& root, CoordinatorApp* app) {
  pugi::xml_node params = Child(root, "parameters");
  if (!params) return Status::Ok();
  std::vector<std::string> missing;
  for (pugi::xml_node p : Children(params, "property")) {
    std::string name = Trim(Text(Child(p, "name")));
    if (name.empty()) return Error(p, "E0739", "Parameter name cannot be empty");
    pugi::xml_node value = Child(p, "value");
    std::optional<std::string> def;
    if (value) def = Text(value);
    app->parameters.emplace_back(name, def);
    if (conf_.Contains(name)) continue;
    if (def) conf_.Set(name, *def);
    else missing.push_back(name);
  }
  if (!missing.empty()) {
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
    return Error(params, "E0738", "The following " + std::to_string(missing.size()) +
                                      " parameters are required but were not defined and no default values are "
                                      "available: " + list);
  }
  return Status::Ok();
}

Status Parser::ParseHeader(const pugi::xml_node& root, CoordinatorApp* app) {
  REFINERY_ASSIGN_OR_RETURN(app->name, Attribute(root, "name"));
  REFINERY_ASSIGN_OR_RETURN(std::string freq, Attribute(root, "frequency"));
  REFINERY_ASSIGN_OR_RETURN(std::string start, Attribute(root, "start"));
  REFINERY_ASSIGN_OR_RETURN(std::string end, Attribute(root, "end"));
  REFINERY_ASSIGN_OR_RETURN(std::string tz, Attribute(root, "timezone"));
  REFINERY_ASSIGN_OR_RETURN(app->start, Date(root, "start", start));
  REFINERY_ASSIGN_OR_RETURN(app->end, Date(root, "end", end));
  REFINERY_ASSIGN_OR_RETURN(app->timezone, Zone(root, tz));
  if (app->start >= app->end) {
    return Error(root, "E1003",
                 "Invalid coordinator application attributes, Coordinator Start Time must be earlier than End Time.");
  }
  FrequencyOptions fo;
  fo.check_maximum_frequency = options_.check_maximum_frequency;
  Result<Frequency> f = EvaluateFrequency(freq, fo);
  if (!f.ok()) return At(root, f.status());
  app->frequency = *f;
  if (f->unit == TimeUnit::kCron) {
    Result<CronSchedule> cron = CronSchedule::Parse(f->text);
    std::optional<TimePoint> first = cron->NextAfter(app->start - std::chrono::minutes(1));
    if (!first || *first >= app->end) {
      return Error(root, "E1003", "Invalid coordinator application attributes, Coordinator job with frequency [" +
                                      f->text + "] materializes no actions between start and end time.");
    }
  }
  return Status::Ok();
}

Status Parser::ParseControls(const pugi::xml_node& controls, Controls* out) {
  if (pugi::xml_node n = Child(controls, "timeout")) {
    REFINERY_ASSIGN_OR_RETURN(std::string text, Resolve(n, Text(n)));
    Result<Frequency> f = internal::EvaluateUnitExpression(text);
    if (!f.ok()) return Error(n, "E1003", "Invalid coordinator application attributes, timeout [" + text + "]");
    int64_t minutes = f->value;
    if (f->unit == TimeUnit::kDay) minutes *= 1440;
    if (f->unit == TimeUnit::kWeek) minutes *= 10080;
    if (f->unit == TimeUnit::kMonth) minutes *= 43200;
    out->timeout_minutes = (minutes < 0 || minutes > kMaxTimeout) ? kMaxTimeout : minutes;
  }
  if (pugi::xml_node n = Child(controls, "concurrency")) {
    REFINERY_ASSIGN_OR_RETURN(std::string text, Resolve(n, Text(n)));
    std::optional<int64_t> v = internal::ParseInt(text);
    if (!v) return Error(n, "E1003", "Invalid coordinator application attributes, concurrency [" + text + "]");
    out->concurrency = *v;
  }
  if (pugi::xml_node n = Child(controls, "execution")) {
    REFINERY_ASSIGN_OR_RETURN(std::string text, Resolve(n, Text(n)));
    text = Trim(text);
    if (text == "FIFO") out->execution = Execution::kFifo;
    else if (text == "LIFO") out->execution = Execution::kLifo;
    else if (text == "LAST_ONLY") out->execution = Execution::kLastOnly;
    else if (text == "NONE") out->execution = Execution::kNone;
    else {
      return Error(n, "E1003", "Invalid coordinator application attributes, No enum constant "
                               "org.apache.oozie.client.CoordinatorJob.Execution." + text +
                                   " (valid: FIFO, LIFO, LAST_ONLY, NONE)");
    }
  }
  if (pugi::xml_node n = Child(controls, "throttle")) {
    REFINERY_ASSIGN_OR_RETURN(std::string text, Resolve(n, Text(n)));
    std::optional<int64_t> v = internal::ParseInt(text);
    if (!v) return Error(n, "E1003", "Invalid coordinator application attributes, throttle [" + text + "]");
    out->throttle = (*v < 1 || *v > kMaxThrottle) ? kMaxThrottle : *v;
  }
  return Status::Ok();
}

Status Parser::ParseDatasets(const pugi::xml_node& datasets, CoordinatorApp* app) {
  if (pugi::xml_node inc = Child(datasets, "include")) {
    return At(inc, Status::Unsupported("dataset <include> is not supported yet; define the datasets inline", "E1010"));
  }
  if (pugi::xml_node a = Child(datasets, "async-dataset")) {
    return At(a, Status::Unsupported("<async-dataset> is not supported", "E1010"));
  }
  std::set<std::string> names;
  for (pugi::xml_node n : Children(datasets, "dataset")) {
    Dataset ds;
    REFINERY_ASSIGN_OR_RETURN(ds.name, Attribute(n, "name"));
    if (!names.insert(ds.name).second) {
      return Error(n, "E1010", "Invalid data in coordinator xml. [duplicate dataset name [" + ds.name + "]]");
    }
    REFINERY_ASSIGN_OR_RETURN(std::string freq, Attribute(n, "frequency"));
    FrequencyOptions fo;
    fo.allow_cron = false;
    Result<Frequency> f = EvaluateFrequency(freq, fo);
    if (!f.ok()) return At(n, f.status());
    ds.frequency = *f;
    REFINERY_ASSIGN_OR_RETURN(std::string init, Attribute(n, "initial-instance"));
    REFINERY_ASSIGN_OR_RETURN(ds.initial_instance, Date(n, "initial-instance", init));
    if (ds.initial_instance < TimePoint()) {
      return Error(n, "E1021", "Coord Action Input Check Error: Dataset initial-instance " + Trim(init) +
                                   " is earlier than the default initial instance 1970-01-01T00:00Z");
    }
    REFINERY_ASSIGN_OR_RETURN(std::string tz, Attribute(n, "timezone"));
    REFINERY_ASSIGN_OR_RETURN(ds.timezone, Zone(n, tz));
    pugi::xml_node uri = Child(n, "uri-template");
    if (!uri) return Error(n, "E0701", "XML schema error, dataset [" + ds.name + "] has no <uri-template>");
    REFINERY_ASSIGN_OR_RETURN(ds.uri_template, Resolve(uri, Trim(Text(uri))));
    if (pugi::xml_node done = Child(n, "done-flag")) {
      REFINERY_ASSIGN_OR_RETURN(std::string flag, Resolve(done, Trim(Text(done))));
      ds.done_flag = flag;
    }
    app->datasets.push_back(std::move(ds));
  }
  return Status::Ok();
}

Status Parser::ParseEvents(const pugi::xml_node& events, const char* tag, const CoordinatorApp& app,
                           std::vector<DataEvent>* out) {
  std::set<std::string> names;
  for (pugi::xml_node n : Children(events, tag)) {
    DataEvent ev;
    ev.line = LineOf(n);
    REFINERY_ASSIGN_OR_RETURN(ev.name, Attribute(n, "name"));
    REFINERY_ASSIGN_OR_RETURN(ev.dataset, Attribute(n, "dataset"));
    if (!names.insert(ev.name).second) {
      return Error(n, "E1010", "Invalid data in coordinator xml. [duplicate " + std::string(tag) + " name [" +
                                   ev.name + "]]");
    }
    if (app.FindDataset(ev.dataset) == nullptr) {
      return Error(n, "E1010", "Invalid data in coordinator xml. [dataset [" + ev.dataset + "] of " + tag + " [" +
                                   ev.name + "] is not defined]");
    }
    ev.nocleanup = std::string_view(n.attribute("nocleanup").value()) == "true";
    for (pugi::xml_node inst : Children(n, "instance")) {
      REFINERY_ASSIGN_OR_RETURN(std::string text, Resolve(inst, Trim(Text(inst))));
      if (text.empty()) {
        return Error(inst, "E1021", "Coord Action Input Check Error: instance of [" + ev.name + "] is empty");
      }
      if (text.find("}") != std::string::npos && text.find("${", text.find("}")) != std::string::npos) {
        return Error(inst, "E1021", "Coord Action Input Check Error: one instance per <instance> tag, found [" +
                                        text + "]");
      }
      ev.instances.push_back(text);
    }
    pugi::xml_node s = Child(n, "start-instance");
    pugi::xml_node e = Child(n, "end-instance");
    if (s || e) {
      if (!s || !e) return Error(n, "E0701", "XML schema error, start-instance and end-instance go together");
      REFINERY_ASSIGN_OR_RETURN(ev.start_instance, Resolve(s, Trim(Text(s))));
      REFINERY_ASSIGN_OR_RETURN(ev.end_instance, Resolve(e, Trim(Text(e))));
    }
    if (ev.instances.empty() && ev.start_instance.empty()) {
      return Error(n, "E0701", "XML schema error, " + std::string(tag) + " [" + ev.name + "] has no instance");
    }
    out->push_back(std::move(ev));
  }
  return Status::Ok();
}

Status Parser::ParseAction(const pugi::xml_node& action, CoordinatorApp* app) {
  pugi::xml_node wf = Child(action, "workflow");
  if (!wf) return Error(action, "E0701", "XML schema error, <action> needs a <workflow>");
  pugi::xml_node path = Child(wf, "app-path");
  if (!path) return Error(wf, "E0701", "XML schema error, <workflow> needs an <app-path>");
  REFINERY_ASSIGN_OR_RETURN(app->app_path, Resolve(path, Trim(Text(path))));
  if (pugi::xml_node conf = Child(wf, "configuration")) {
    for (pugi::xml_node p : Children(conf, "property")) {
      std::string name = Trim(Text(Child(p, "name")));
      REFINERY_ASSIGN_OR_RETURN(std::string value, Resolve(p, Text(Child(p, "value"))));
      app->action_configuration.Set(name, value);
    }
  }
  if (pugi::xml_node sla = Child(action, "info")) {
    app->sla_xml = Serialize(sla);
    // The scheduler evaluates it per action (scheduler/coordinator_sla.cc); its fields are checked here.
    static const std::set<std::string> kSlaFields = {
        "nominal-time", "should-start", "should-end", "max-duration", "alert-events", "alert-contact",
        "notification-msg", "upstream-apps",
        // sla 0.1 only
        "app-name", "parent-child-id", "sequence-id", "dev-contact", "qa-contact", "se-contact", "alert-frequency",
        "alert-percentage"};
    bool has_nominal_time = false;
    for (pugi::xml_node field : sla.children()) {
      if (field.type() != pugi::node_element) continue;
      const std::string name(LocalName(field.name()));
      if (kSlaFields.count(name) == 0) {
        return Error(field, "E0701", "XML schema error, <sla:info> does not allow <" + std::string(field.name()) +
                                         ">; use nominal-time, should-start, should-end, max-duration, alert-events, "
                                         "alert-contact, notification-msg or upstream-apps");
      }
      has_nominal_time = has_nominal_time || name == "nominal-time";
    }
    if (!has_nominal_time) {
      return Error(sla, "E0701", "XML schema error, <sla:info> needs <sla:nominal-time>, e.g. ${coord:nominalTime()}");
    }
  }
  return Status::Ok();
}

Result<CoordinatorApp> Parser::Parse() {
  pugi::xml_document doc;
  pugi::xml_parse_result r = doc.load_buffer(xml_.data(), xml_.size(), pugi::parse_default);
  if (!r) {
    int line = 1 + static_cast<int>(std::count(xml_.begin(), xml_.begin() + std::min<ptrdiff_t>(
                                                                  r.offset, static_cast<ptrdiff_t>(xml_.size())), '\n'));
    return Status::InvalidArgument(std::string("XML schema error, ") + r.description(), "E0701")
        .WithContext(options_.source_name + ":" + std::to_string(line));
  }
  pugi::xml_node root = doc.document_element();
  CoordinatorApp app;
  std::string prefix;
  if (std::string_view name(root.name()); name.find(':') != std::string_view::npos) {
    prefix = std::string(name.substr(0, name.find(':')));
  }
  app.xmlns = root.attribute(prefix.empty() ? "xmlns" : ("xmlns:" + prefix).c_str()).value();
  static const std::set<std::string> kNamespaces = {"uri:oozie:coordinator:0.1", "uri:oozie:coordinator:0.2",
                                                    "uri:oozie:coordinator:0.3", "uri:oozie:coordinator:0.4",
                                                    "uri:oozie:coordinator:0.5"};
  if (LocalName(root.name()) != "coordinator-app" || kNamespaces.count(app.xmlns) == 0) {
    return Error(root, "E0701", "XML schema error, expected <coordinator-app> of uri:oozie:coordinator:0.1 … 0.5, "
                                "found <" + std::string(root.name()) + "> of [" + app.xmlns + "]");
  }
  REFINERY_RETURN_IF_ERROR(ParseParameters(root, &app));
  REFINERY_RETURN_IF_ERROR(ParseHeader(root, &app));
  if (pugi::xml_node c = Child(root, "controls")) REFINERY_RETURN_IF_ERROR(ParseControls(c, &app.controls));
  if (pugi::xml_node d = Child(root, "datasets")) REFINERY_RETURN_IF_ERROR(ParseDatasets(d, &app));
  if (pugi::xml_node e = Child(root, "input-events")) {
    REFINERY_RETURN_IF_ERROR(ParseEvents(e, "data-in", app, &app.input_events));
  }
  if (pugi::xml_node l = Child(root, "input-logic")) {
    app.input_logic_xml = Serialize(l);
    if (app.xmlns != "uri:oozie:coordinator:0.5") {
      return Error(l, "E0701",
                   "XML schema error, <input-logic> needs xmlns=\"uri:oozie:coordinator:0.5\" (this app is " +
                       app.xmlns + ")");
    }
    internal::InputLogicParsing parsing;
    parsing.at = [this](const pugi::xml_node& n, Status s) { return At(n, std::move(s)); };
    parsing.resolve = [this](const pugi::xml_node& n, std::string_view text) { return Resolve(n, text); };
    REFINERY_ASSIGN_OR_RETURN(app.input_logic, internal::ParseInputLogicElement(l, app.input_events, parsing));
  }
  if (pugi::xml_node e = Child(root, "output-events")) {
    REFINERY_RETURN_IF_ERROR(ParseEvents(e, "data-out", app, &app.output_events));
  }
  pugi::xml_node action = Child(root, "action");
  if (!action) return Error(root, "E0701", "XML schema error, <coordinator-app> needs an <action>");
  REFINERY_RETURN_IF_ERROR(ParseAction(action, &app));
  return app;
}

}  // namespace

const char* ExecutionName(Execution e) {
  switch (e) {
    case Execution::kFifo: return "FIFO";
    case Execution::kLifo: return "LIFO";
    case Execution::kLastOnly: return "LAST_ONLY";
    case Execution::kNone: return "NONE";
  }
  return "FIFO";
}

Result<CoordinatorApp> ParseCoordinatorXml(std::string_view xml, const ParseOptions& options) {
  Parser parser(xml, options);
  return parser.Parse();
}

}  // namespace refinery::coordinator
