// Internal to coordinator/: helpers shared by the parser and the materializer.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "coordinator/coordinator.h"

namespace refinery::coordinator::internal {

// XML helpers shared by the coordinator, bundle and input-logic parsers
// (coordinator_parser.cc). Names compare without their namespace prefix.
std::string_view LocalName(std::string_view name);
std::string Trim(std::string_view s);
std::string Text(const pugi::xml_node& n);  // text and CDATA children, joined
pugi::xml_node Child(const pugi::xml_node& parent, std::string_view local);
std::vector<pugi::xml_node> Children(const pugi::xml_node& parent, std::string_view local);

// Hadoop's Configuration substitution of ${name} (no spaces, no '$'); names
// the configuration lacks stay as written for the EL pass to report
// (coord_el.cc).
std::string SubstituteProperties(std::string text, const Properties& conf);

// A unit expression without validation: integer (minutes) or coord:minutes …
// endOfMonths. Used for frequencies and <timeout>.
Result<Frequency> EvaluateUnitExpression(std::string_view text);
std::optional<int64_t> ParseInt(std::string_view text);

// The Oozie DST correction applied to cron fire times at least a day apart.
std::chrono::minutes DstCorrection(const TimeZone& tz, TimePoint start, TimePoint candidate);

// <input-logic> (input_logic.cc): checks elements and attributes against the
// input events; `at` adds source:line of a node to an error, `resolve`
// substitutes job properties in an attribute.
struct InputLogicParsing {
  std::function<Status(const pugi::xml_node&, Status)> at;
  std::function<Result<std::string>(const pugi::xml_node&, std::string_view)> resolve;
};
Result<std::optional<InputLogicNode>> ParseInputLogicElement(const pugi::xml_node& element,
                                                             const std::vector<DataEvent>& inputs,
                                                             const InputLogicParsing& parsing);

}  // namespace refinery::coordinator::internal
