// Internal to the `ml` plugin (train and score actions): the element and
// result helpers they share beyond action_util.h, which the plugin compiles in.
#pragma once

#include <pugixml.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "actions/action.h"
#include "actions/action_util.h"
#include "core/properties.h"
#include "core/status.h"

namespace refinery::actions::internal {

// The `<type>` element of context.action_xml (itself or inside <action>);
// E0700 when the XML is not one. Also checks the file system is wired.
Result<pugi::xml_node> ParseMlActionElement(const ActionContext& context, std::string_view type,
                                            pugi::xml_document* doc);
Status WriteTextFile(const std::filesystem::path& path, const std::string& text);

}  // namespace refinery::actions::internal
