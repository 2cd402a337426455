// Internal to actions/: what every action file shares — reading its element
// with pugixml, settings looked up through the declared SettingSpec table,
// result helpers. Not part of the public API.
#pragma once

#include <pugixml.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actions/action.h"

namespace refinery::actions::internal {

// Error codes Refinery defines itself (Oozie's own codes are used verbatim
// wherever Oozie has one).
inline constexpr char kUnsupportedActionCode[] = "REFINERY001";  // Hadoop-only action type
inline constexpr char kMissingServiceCode[] = "REFINERY002";     // the context lacks files/processes/...

// ---- XML ----

// The element name without a namespace prefix ("sh:shell" -> "shell").
std::string_view LocalName(const pugi::xml_node& node);
pugi::xml_node Child(const pugi::xml_node& parent, std::string_view local_name);
std::vector<pugi::xml_node> Children(const pugi::xml_node& parent, std::string_view local_name);
// The element's trimmed text (all its text and CDATA pieces).
std::string NodeText(const pugi::xml_node& node);
// Trimmed text of the first such child; "" when absent.
std::string ChildText(const pugi::xml_node& parent, std::string_view local_name);

// Parses ActionContext::action_xml and returns the action type's element
// (`<fs>`, `<shell>`, ...). Accepts the type element itself or a whole
// `<action>` around it. A parse error or a different type is a FAILED result
// (E0700) in `error`.
pugi::xml_node ParseActionElement(const std::string& xml, std::string_view type, pugi::xml_document* doc,
                                  ActionResult* error);

// <configuration><property><name/><value/></property>...</configuration>.
Properties InlineConfiguration(const pugi::xml_node& parent);

// ---- Text ----

std::string Trim(std::string_view text);
// Splits at commas and trims; empty items are dropped.
std::vector<std::string> SplitList(std::string_view text);
bool HasScheme(std::string_view uri);  // "hdfs://...", "file:/..."

// ---- Settings ----

// The value of setting `name` (declared in `specs`): the action's
// configuration first, then the job's, then the declared default.
std::string SettingValue(const ActionContext& context, const std::vector<SettingSpec>& specs, std::string_view name);
// An integer setting checked against its declared bounds ("lo..hi").
// Failure is InvalidArgument (E0303) naming the property, value and bounds.
Result<int64_t> IntSetting(const ActionContext& context, const std::vector<SettingSpec>& specs, std::string_view name);
// "true"/"false" (any case); anything else is the default, as Hadoop's getBoolean.
bool BoolSetting(const ActionContext& context, const std::vector<SettingSpec>& specs, std::string_view name);

// ---- Context helpers ----

const Cancellation& CancellationOf(const ActionContext& context);  // never null
void Report(const ActionContext& context, const std::string& line);  // no-op without a reporter
// Runs the element's <prepare> (delete, mkdir) through context.files.
Status RunPrepare(const ActionContext& context, const pugi::xml_node& element);
// A FAILED result (REFINERY002) when `service` is null.
bool MissingService(const void* service, const char* what, ActionResult* error);
// A Cancelled status (the job was killed) becomes KILLED whatever `outcome` says.
ActionResult FromStatus(const Status& status, std::string_view fallback_code, Outcome outcome = Outcome::kError);

// ---- Factories of the built-in actions (one file each) ----

std::unique_ptr<Action> MakeFsAction();
std::unique_ptr<Action> MakeShellAction();
std::unique_ptr<Action> MakeEmailAction();
std::unique_ptr<Action> MakeSubWorkflowAction();
std::unique_ptr<Action> MakeHiveAction(const std::string& type);  // "hive" or "hive2" (hive_action.cc)
std::unique_ptr<Action> MakeProfileAction();  // uri:refinery:profile-action:1.0
std::unique_ptr<Action> MakeTrainAction();    // uri:refinery:train-action:1.0 (ml plugin)
std::unique_ptr<Action> MakeScoreAction();    // uri:refinery:score-action:1.0 (ml plugin)
std::unique_ptr<Action> MakePublishAction();  // uri:refinery:publish-action:1.0 (ml plugin)
std::unique_ptr<Action> MakeSparkAction();    // uri:oozie:spark-action:* through spark-submit (spark_action.cc)
// An action type Refinery does not run; every run is an ERROR naming the
// alternative.
std::unique_ptr<Action> MakeRefusalAction(const std::string& type);
// Hadoop-only types, sorted.
const std::vector<std::string>& HadoopOnlyTypes();

}  // namespace refinery::actions::internal
