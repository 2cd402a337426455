#include "engine/engine_impl.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include <pugixml.hpp>

#include "core/log.h"
#include "core/time_format.h"

namespace refinery::engine {

namespace internal {


bool IsJavaIdentifier(std::string_view name) {
  if (name.empty()) return false;
  auto head = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  if (!head(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return head(c) || std::isdigit(static_cast<unsigned char>(c)); });
}

std::vector<std::string> SplitCommaList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const auto begin = item.find_first_not_of(" \t");
    if (begin == std::string::npos) continue;
    items.push_back(item.substr(begin, item.find_last_not_of(" \t") - begin + 1));
  }
  return items;
}


bool IsDone(const WorkflowActionRecord& record) {
  return (record.status == "OK" || record.status == "ERROR") && !record.transition.empty();
}

bool WasInFlight(const std::string& status) {
  return status == "RUNNING" || status == "DONE" || status == "END_RETRY" || status == "END_MANUAL";
}

}  // namespace internal

}  // namespace refinery::engine
