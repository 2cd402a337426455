// coordinator: `coordinator.xml` (uri:oozie:coordinator:0.1 … 0.5) into an
// immutable CoordinatorApp after submit-time ${} resolution; frequencies
// (coord:minutes … endOfMonths, integers, 5-field Quartz cron evaluated in UTC
// with Oozie's DST correction); calendar arithmetic in the coordinator's time
// zone as java.util.Calendar does it; the Materializer, which from a job's
// state and an injected Clock returns the actions due (nominal times from the
// original start, end and pause exclusive, window, throttle and catch-up),
// with their dataset instances and URIs; and the coord:* EL functions
// (coord_el.h). Statuses and the fate of waiting actions are in status.h. It
// starts nothing and never reads the wall clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/properties.h"
#include "core/status.h"
#include "coordinator/time_zone.h"

namespace refinery::coordinator {

// Oozie's TimeUnit names. kMinute/kDay/kWeek/kMonth/kCron are frequency
// units; kEndOfDay/kEndOfWeek/kEndOfMonth mark "end of duration".
enum class TimeUnit { kMinute, kHour, kDay, kWeek, kMonth, kYear, kEndOfDay, kEndOfWeek, kEndOfMonth, kCron, kNone };
const char* TimeUnitName(TimeUnit unit);  // "MINUTE", "END_OF_DAY", ...

struct Frequency {
  std::string text;       // the value as Oozie stores it: "60", "1", or the cron text
  int64_t value = 0;      // 0 for cron
  TimeUnit unit = TimeUnit::kMinute;    // kMinute, kDay, kWeek, kMonth or kCron
  TimeUnit end_of = TimeUnit::kNone;    // kEndOfDay / kEndOfWeek / kEndOfMonth / kNone
};

struct FrequencyOptions {
  bool allow_cron = true;                 // dataset frequencies do not allow cron
  bool check_maximum_frequency = false;   // oozie.service.coord.check.maximum.frequency
};

// Evaluates a frequency attribute (already ${}-resolved for job properties):
// an integer (minutes), ${coord:minutes|hours|days|months|endOfDays|
// endOfWeeks|endOfMonths(n)} or a 5-field cron. Errors are E1003/E1004.
Result<Frequency> EvaluateFrequency(std::string_view text, const FrequencyOptions& options);

enum class Execution { kFifo, kLifo, kLastOnly, kNone };
const char* ExecutionName(Execution e);

struct Controls {
  int64_t timeout_minutes = 120;  // negative or > 86400 clamped to 86400
  int64_t concurrency = 1;        // negative = unlimited
  Execution execution = Execution::kFifo;
  int64_t throttle = 12;          // < 1 or > 500 set to 500
};

struct Dataset {
  std::string name;
  Frequency frequency;
  TimePoint initial_instance;
  TimeZone timezone;
  std::string uri_template;              // ${YEAR}… still in place
  std::optional<std::string> done_flag;  // absent: _SUCCESS; "" = directory existence
  std::string DoneFlagOrDefault() const { return done_flag ? *done_flag : "_SUCCESS"; }
};

struct DataEvent {
  std::string name;
  std::string dataset;
  std::vector<std::string> instances;  // raw EL of each <instance>
  std::string start_instance;          // raw EL, with end_instance; empty with instances
  std::string end_instance;
  bool nocleanup = false;
  int line = 0;
};

// <input-logic> (coordinator 0.5), as parsed; input_logic.h evaluates it.
struct InputLogicNode {
  enum class Kind { kAnd, kOr, kCombine, kDataIn };
  Kind kind = Kind::kAnd;
  std::string name;                    // "" when unnamed; coord:dataIn(name) gives what satisfied it
  std::string data_in;                 // kDataIn: the name of the <input-events> data-in it reads
  std::optional<int64_t> min;          // instances that suffice once `wait` has passed (inherited)
  std::optional<int64_t> wait_minutes; // how long to wait for every instance before `min` suffices (inherited)
  std::vector<InputLogicNode> children;
};

struct CoordinatorApp {
  std::string xmlns;
  std::string name;
  Frequency frequency;
  TimePoint start;
  TimePoint end;
  TimeZone timezone;
  Controls controls;
  std::vector<Dataset> datasets;
  std::vector<DataEvent> input_events;
  std::vector<DataEvent> output_events;
  std::string input_logic_xml;  // raw, empty when absent
  std::optional<InputLogicNode> input_logic;  // parsed; several top-level elements are an implicit <and>
  std::string app_path;
  Properties action_configuration;  // values may still hold coord:* EL
  std::vector<std::pair<std::string, std::optional<std::string>>> parameters;
  std::string sla_xml;  // <sla:info> as written, empty when absent

  const Dataset* FindDataset(std::string_view name) const;
};

struct ParseOptions {
  const Properties* job_conf = nullptr;  // ${} resolution; may be null
  std::string user;                      // coord:user(); defaults to user.name
  std::string source_name = "coordinator.xml";
  bool check_maximum_frequency = false;
};

// Parses and validates. Errors carry Oozie's codes (E0701 schema/XML,
// E1003 attributes, E1004 EL, E1010 data, E1021 datasets) and `source:line`.
// Never throws; any byte string is safe input.
Result<CoordinatorApp> ParseCoordinatorXml(std::string_view xml, const ParseOptions& options);

// Java Calendar.add in `tz` (MINUTE/HOUR absolute; DAY/WEEK keep the wall
// clock across DST; MONTH/YEAR clamp the day of month).
TimePoint AddCalendar(TimePoint t, TimeUnit unit, int64_t amount, const TimeZone& tz);
// DateUtils.moveToEnd: END_OF_DAY → next local 00:00, END_OF_MONTH → 1st of
// next month, END_OF_WEEK → next Sunday 00:00; otherwise unchanged.
TimePoint MoveToEnd(TimePoint t, TimeUnit end_of, const TimeZone& tz);

// The state of a coordinator job that materialization reads and advances.
struct JobState {
  std::string job_id;
  std::optional<TimePoint> next_materialized_time;  // none: never materialized
  int64_t last_action_number = 0;
  int64_t waiting_actions = 0;
  std::optional<TimePoint> pause_time;
  std::string user;
  Properties conf;
};

struct DataInstances {
  std::string name;
  std::string dataset;
  std::vector<std::string> instances;   // resolved times, newest first
  std::vector<std::string> uris;        // same order
  std::string unresolved;               // latest/future EL kept for action start
};

struct MaterializedAction {
  std::string id;  // <jobId>@<n>
  int64_t number = 0;
  TimePoint nominal_time;
  TimePoint created_time;
  std::string status = "WAITING";
  std::vector<DataInstances> inputs;
  std::vector<DataInstances> outputs;
};

struct MaterializeOptions {
  std::chrono::seconds window{3600};
  std::chrono::seconds lookahead{300};
};

struct MaterializeResult {
  std::vector<MaterializedAction> actions;
  std::optional<TimePoint> next_materialized_time;
  int64_t last_action_number = 0;
  bool done = false;   // window end reached the job end
};

// Decides which actions are due. `clock` must outlive the materializer.
// Thread-compatible; Materialize is const.
class Materializer {
 public:
  Materializer(const CoordinatorApp* app, const Clock* clock, MaterializeOptions options = {})
      : app_(app), clock_(clock), options_(options) {}
  // Returns the actions to create now (possibly none). An error (E1012) means
  // the job should become FAILED with no actions.
  Result<MaterializeResult> Materialize(const JobState& state) const;

 private:
  const CoordinatorApp* app_;
  const Clock* clock_;
  MaterializeOptions options_;
};

// The action `number` at `nominal` with its dataset instances resolved at
// `now`, as materialization creates it (`job -rerun -refresh` resolves an
// action's inputs again with it).
Result<MaterializedAction> MaterializeAction(const CoordinatorApp& app, const JobState& state, int64_t number,
                                             TimePoint nominal, TimePoint now);

// Nominal time of action `number` (1-based), as the k = number-1 term of the
// series. nullopt when past the end (end exclusive).
Result<std::optional<TimePoint>> NominalTimeOf(const CoordinatorApp& app, int64_t number);
// CoordCommandUtils.computeNextNominalTime: nominal time after action
// `number` whose nominal time is `nominal`; nullopt when after the end.
Result<std::optional<TimePoint>> NextNominalTime(const CoordinatorApp& app, int64_t number, TimePoint nominal);

// Dataset instance arithmetic relative to a nominal time (coord:current).
// nullopt when before the (end-of-duration moved) initial instance.
std::optional<TimePoint> CurrentInstance(const Dataset& ds, TimePoint nominal, int64_t n);
// coord:offset(n, unit): nominal + n·unit, rewound to the latest instance.
std::optional<TimePoint> OffsetInstance(const Dataset& ds, TimePoint nominal, int64_t n, TimeUnit unit);
// ${YEAR}…${MINUTE} rendered in UTC, other ${x} from `conf` when defined.
std::string RenderUriTemplate(std::string_view tmpl, TimePoint instance, const Properties* conf);

}  // namespace refinery::coordinator
