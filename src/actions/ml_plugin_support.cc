#include "actions/ml_plugin_support.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace refinery::actions::internal {

Result<pugi::xml_node> ParseMlActionElement(const ActionContext& context, std::string_view type,
                                            pugi::xml_document* doc) {
  if (context.files == nullptr) {
    return Status::Internal(std::string(type) + ": the action context has no file system", "REFINERY002");
  }
  const pugi::xml_parse_result parsed = doc->load_string(context.action_xml.c_str());
  pugi::xml_node element = doc->document_element();
  if (element && LocalName(element) == "action") element = Child(element, type);
  if (!parsed || !element || LocalName(element) != type) {
    return Status::InvalidArgument(std::string(type) + ": the action XML is not a <" + std::string(type) +
                                       "> element" + (parsed ? "" : std::string(": ") + parsed.description()),
                                   "E0700");
  }
  return element;
}

Status WriteTextFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::IoError("could not write " + path.string());
  return Status::Ok();
}

}  // namespace refinery::actions::internal
