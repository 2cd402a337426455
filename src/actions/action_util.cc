#include "actions/action_util.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace refinery::actions {

ActionResult ActionResult::Error(std::string code, std::string message) {
  ActionResult result;
  result.outcome = Outcome::kError;
  result.error_code = std::move(code);
  result.error_message = std::move(message);
  result.external_status = "ERROR";
  return result;
}

ActionResult ActionResult::Failed(std::string code, std::string message) {
  ActionResult result;
  result.outcome = Outcome::kFailed;
  result.error_code = std::move(code);
  result.error_message = std::move(message);
  result.external_status = "FAILED";
  return result;
}

namespace internal {

std::string_view LocalName(const pugi::xml_node& node) {
  std::string_view name = node.name();
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view local_name) {
  for (pugi::xml_node child = parent.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child) == local_name) return child;
  }
  return pugi::xml_node();
}

std::vector<pugi::xml_node> Children(const pugi::xml_node& parent, std::string_view local_name) {
  std::vector<pugi::xml_node> found;
  for (pugi::xml_node child = parent.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child) == local_name) found.push_back(child);
  }
  return found;
}

std::string NodeText(const pugi::xml_node& node) {
  std::string text;
  for (pugi::xml_node part = node.first_child(); part; part = part.next_sibling()) {
    if (part.type() == pugi::node_pcdata || part.type() == pugi::node_cdata) text += part.value();
  }
  return Trim(text);
}

std::string ChildText(const pugi::xml_node& parent, std::string_view local_name) {
  const pugi::xml_node child = Child(parent, local_name);
  return child ? NodeText(child) : std::string();
}

pugi::xml_node ParseActionElement(const std::string& xml, std::string_view type, pugi::xml_document* doc,
                                  ActionResult* error) {
  const pugi::xml_parse_result parsed = doc->load_string(xml.c_str());
  if (!parsed) {
    *error = ActionResult::Failed("E0700", "XML error, could not parse the <" + std::string(type) +
                                               "> action at offset " + std::to_string(parsed.offset) + ": " +
                                               parsed.description());
    return pugi::xml_node();
  }
  pugi::xml_node root = doc->document_element();
  if (LocalName(root) == "action") {
    for (pugi::xml_node child = root.first_child(); child; child = child.next_sibling()) {
      if (child.type() != pugi::node_element) continue;
      const std::string_view name = LocalName(child);
      if (name != "ok" && name != "error" && name != "info") {
        root = child;
        break;
      }
    }
  }
  if (LocalName(root) != type) {
    *error = ActionResult::Failed("E0700", "XML error, expected a <" + std::string(type) + "> element but found <" +
                                               std::string(root.name()) + ">");
    return pugi::xml_node();
  }
  return root;
}

Properties InlineConfiguration(const pugi::xml_node& parent) {
  Properties conf;
  for (const pugi::xml_node& property : Children(Child(parent, "configuration"), "property")) {
    const std::string name = ChildText(property, "name");
    if (!name.empty()) conf.Set(name, ChildText(property, "value"));
  }
  return conf;
}

std::string Trim(std::string_view text) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string item = Trim(text.substr(start, comma - start));
    if (!item.empty()) items.push_back(std::move(item));
    start = comma + 1;
  }
  return items;
}

bool HasScheme(std::string_view uri) {
  const size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(uri[0]))) return false;
  return std::all_of(uri.begin(), uri.begin() + static_cast<ptrdiff_t>(colon), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
}

namespace {

const SettingSpec* FindSpec(const std::vector<SettingSpec>& specs, std::string_view name) {
  for (const SettingSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

bool ParseInt(std::string_view text, int64_t* value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string SettingValue(const ActionContext& context, const std::vector<SettingSpec>& specs, std::string_view name) {
  if (auto value = context.action_conf.Get(name)) return Trim(*value);
  if (context.job_conf != nullptr) {
    if (auto value = context.job_conf->Get(name)) return Trim(*value);
  }
  const SettingSpec* spec = FindSpec(specs, name);
  return spec == nullptr ? std::string() : spec->default_value;
}

Result<int64_t> IntSetting(const ActionContext& context, const std::vector<SettingSpec>& specs, std::string_view name) {
  const std::string text = SettingValue(context, specs, name);
  const SettingSpec* spec = FindSpec(specs, name);
  const std::string bounds = spec == nullptr ? "" : spec->bounds;
  int64_t value = 0;
  const std::string bad = "Invalid parameter value, [" + std::string(name) + "] = [" + text + "]";
  if (!ParseInt(text, &value)) return Status::InvalidArgument(bad + ": expected an integer", "E0303");
  const size_t dots = bounds.find("..");
  int64_t low = 0;
  int64_t high = 0;
  if (dots != std::string::npos && ParseInt(bounds.substr(0, dots), &low) &&
      ParseInt(bounds.substr(dots + 2), &high) && (value < low || value > high)) {
    return Status::InvalidArgument(bad + ": expected " + bounds, "E0303");
  }
  return value;
}

bool BoolSetting(const ActionContext& context, const std::vector<SettingSpec>& specs, std::string_view name) {
  std::string text = SettingValue(context, specs, name);
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  if (text == "true") return true;
  if (text == "false") return false;
  const SettingSpec* spec = FindSpec(specs, name);
  return spec != nullptr && spec->default_value == "true";
}

const Cancellation& CancellationOf(const ActionContext& context) {
  static const Cancellation kNever;
  return context.cancel != nullptr ? *context.cancel : kNever;
}

void Report(const ActionContext& context, const std::string& line) {
  if (context.reporter != nullptr) context.reporter->Log(line);
}

bool MissingService(const void* service, const char* what, ActionResult* error) {
  if (service != nullptr) return false;
  *error = ActionResult::Failed(kMissingServiceCode, std::string("the action context has no ") + what +
                                                         " (a bug in the caller)");
  return true;
}

ActionResult FromStatus(const Status& status, std::string_view fallback_code, Outcome outcome) {
  ActionResult result;
  if (status.code() == StatusCode::kCancelled) {
    result.outcome = Outcome::kKilled;
    result.external_status = "KILLED";
    result.error_message = status.message();
    return result;
  }
  result.outcome = outcome;
  result.error_code = status.error_code().empty() ? std::string(fallback_code) : status.error_code();
  result.error_message = status.message();
  result.external_status = outcome == Outcome::kFailed ? "FAILED" : "ERROR";
  return result;
}

// Oozie's prologue: <prepare> deletes and mkdirs, in document order.
Status RunPrepare(const ActionContext& context, const pugi::xml_node& element) {
  for (pugi::xml_node step = Child(element, "prepare").first_child(); step; step = step.next_sibling()) {
    if (step.type() != pugi::node_element) continue;
    const std::string path = step.attribute("path").value();
    if (LocalName(step) == "delete") {
      Report(context, "prepare: delete " + path);
      REFINERY_RETURN_IF_ERROR(context.files->Delete(path, true));
    } else if (LocalName(step) == "mkdir") {
      Report(context, "prepare: mkdir " + path);
      REFINERY_RETURN_IF_ERROR(context.files->MakeDirectories(path));
    }
  }
  return Status::Ok();
}

}  // namespace internal
}  // namespace refinery::actions
