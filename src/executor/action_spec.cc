#include "executor/action_spec.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace refinery::executor {
namespace {

using nlohmann::json;

json PropertiesToJson(const Properties& properties) {
  json object = json::array();
  for (const auto& [key, value] : properties.entries()) object.push_back(json::array({key, value}));
  return object;
}

Properties PropertiesFromJson(const json& array) {
  Properties properties;
  for (const auto& pair : array) properties.Set(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
  return properties;
}

const char* OutcomeName(actions::Outcome outcome) {
  switch (outcome) {
    case actions::Outcome::kOk:
      return "ok";
    case actions::Outcome::kError:
      return "error";
    case actions::Outcome::kFailed:
      return "failed";
    case actions::Outcome::kTransient:
      return "transient";
    case actions::Outcome::kKilled:
      return "killed";
  }
  return "error";
}

std::optional<actions::Outcome> OutcomeFromName(const std::string& name) {
  for (auto outcome : {actions::Outcome::kOk, actions::Outcome::kError, actions::Outcome::kFailed,
                       actions::Outcome::kTransient, actions::Outcome::kKilled}) {
    if (name == OutcomeName(outcome)) return outcome;
  }
  return std::nullopt;
}

}  // namespace

ActionSpec SpecFromContext(const actions::ActionContext& context, const std::string& action_type) {
  ActionSpec spec;
  spec.job_id = context.job_id;
  spec.action_id = context.action_id;
  spec.action_name = context.action_name;
  spec.action_type = action_type;
  spec.action_xml = context.action_xml;
  spec.app_path = context.app_path;
  spec.user = context.user;
  spec.name_node = context.name_node;
  spec.sub_workflow_depth = context.sub_workflow_depth;
  spec.action_conf = context.action_conf;
  if (context.job_conf != nullptr) spec.job_conf = *context.job_conf;
  return spec;
}

std::string SpecToJson(const ActionSpec& spec) {
  json object = {{"version", kSpecVersion},
                 {"job_id", spec.job_id},
                 {"action_id", spec.action_id},
                 {"action_name", spec.action_name},
                 {"action_type", spec.action_type},
                 {"action_xml", spec.action_xml},
                 {"app_path", spec.app_path},
                 {"user", spec.user},
                 {"name_node", spec.name_node},
                 {"sub_workflow_depth", spec.sub_workflow_depth},
                 {"action_conf", PropertiesToJson(spec.action_conf)},
                 {"job_conf", PropertiesToJson(spec.job_conf)},
                 {"home", spec.home},
                 {"result_file", spec.result_file}};
  return object.dump(2) + "\n";
}

Result<ActionSpec> SpecFromJson(const std::string& text, const std::string& where) {
  const json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return Status::InvalidArgument(where + ": not a JSON object (an action spec)");
  if (object.value("version", 0) != kSpecVersion) {
    return Status::InvalidArgument(where + ": spec version " + object.value("version", json(0)).dump() + " is not " +
                                   std::to_string(kSpecVersion) +
                                   "; run the same refinery version on the nodes as on the server");
  }
  try {
    ActionSpec spec;
    spec.job_id = object.at("job_id").get<std::string>();
    spec.action_id = object.at("action_id").get<std::string>();
    spec.action_name = object.at("action_name").get<std::string>();
    spec.action_type = object.at("action_type").get<std::string>();
    spec.action_xml = object.at("action_xml").get<std::string>();
    spec.app_path = object.at("app_path").get<std::string>();
    spec.user = object.at("user").get<std::string>();
    spec.name_node = object.at("name_node").get<std::string>();
    spec.sub_workflow_depth = object.at("sub_workflow_depth").get<int>();
    spec.action_conf = PropertiesFromJson(object.at("action_conf"));
    spec.job_conf = PropertiesFromJson(object.at("job_conf"));
    spec.home = object.at("home").get<std::string>();
    spec.result_file = object.at("result_file").get<std::string>();
    return spec;
  } catch (const json::exception& e) {
    return Status::InvalidArgument(where + ": missing or mistyped field: " + e.what());
  }
}

std::string ResultToJson(const actions::ActionResult& result) {
  json object = {{"outcome", OutcomeName(result.outcome)}, {"error_code", result.error_code},
                 {"error_message", result.error_message},  {"data", result.data},
                 {"external_id", result.external_id},      {"external_status", result.external_status}};
  return object.dump(2) + "\n";
}

Result<actions::ActionResult> ResultFromJson(const std::string& text, const std::string& where) {
  const json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return Status::InvalidArgument(where + ": not a JSON object (an action result)");
  try {
    actions::ActionResult result;
    auto outcome = OutcomeFromName(object.at("outcome").get<std::string>());
    if (!outcome) return Status::InvalidArgument(where + ": unknown outcome " + object.at("outcome").dump());
    result.outcome = *outcome;
    result.error_code = object.at("error_code").get<std::string>();
    result.error_message = object.at("error_message").get<std::string>();
    result.data = object.at("data").get<std::string>();
    result.external_id = object.at("external_id").get<std::string>();
    result.external_status = object.at("external_status").get<std::string>();
    return result;
  } catch (const json::exception& e) {
    return Status::InvalidArgument(where + ": missing or mistyped field: " + e.what());
  }
}

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return Status::IoError("Could not write \"" + temporary + "\"");
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) return Status::IoError("Could not publish \"" + path + "\": " + error.message());
  return Status::Ok();
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("Could not read \"" + path + "\"");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

actions::ActionResult RunSpec(const ActionSpec& spec, const LocalWorld& world) {
  actions::Action* action = world.actions->Find(spec.action_type);
  if (action == nullptr) {
    return actions::ActionResult::Failed("EXEC001", "run-action: action type [" + spec.action_type +
                                                        "] is not known to this refinery binary; run the same "
                                                        "version on the nodes as on the server");
  }
  actions::ActionContext context;
  context.job_id = spec.job_id;
  context.action_id = spec.action_id;
  context.action_name = spec.action_name;
  context.action_xml = spec.action_xml;
  context.app_path = spec.app_path;
  context.user = spec.user;
  context.job_conf = &spec.job_conf;
  context.action_conf = spec.action_conf;
  context.name_node = spec.name_node;
  context.sub_workflow_depth = spec.sub_workflow_depth;
  context.files = world.files;
  context.clock = world.clock;
  context.processes = world.processes;
  context.mailer = world.mailer;
  context.models = world.models;
  context.reporter = world.reporter;
  context.state = world.state;
  context.cancel = world.cancel;
  context.scratch_dir = world.scratch_dir;
  return action->Run(context);
}

}  // namespace refinery::executor
