// Internal to workflow/: the pugixml helpers the parser, the schema checker
// and job_config share — line numbers from byte offsets, namespace
// resolution (pugixml keeps prefixes but does not resolve them), element text,
// and serializing one element so it stands alone.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "core/properties.h"

namespace refinery::workflow::internal {

// Maps byte offsets of a text to 1-based line numbers.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  int LineOf(ptrdiff_t offset) const;
  int LineOf(const pugi::xml_node& node) const { return LineOf(node.offset_debug()); }

 private:
  std::vector<size_t> line_starts_;
};

// The part of a qualified name after the colon ("sla:info" -> "info").
std::string_view LocalName(std::string_view qualified_name);
std::string_view Prefix(std::string_view qualified_name);

// Resolves `prefix` (empty for the default namespace) at `node` by walking
// the xmlns declarations of the node and its ancestors. "" when undeclared.
std::string ResolveNamespace(const pugi::xml_node& node, std::string_view prefix);
inline std::string NamespaceOf(const pugi::xml_node& element) {
  return ResolveNamespace(element, Prefix(element.name()));
}

// Concatenated text and CDATA children (not descendants), as written.
std::string ElementText(const pugi::xml_node& element);
bool IsBlank(std::string_view text);
std::string Trim(std::string_view text);

// The first child element with the given local name, or an empty handle.
pugi::xml_node ChildByLocalName(const pugi::xml_node& parent, std::string_view local_name);

// Serializes `element` (format_raw: whitespace as written) with every
// namespace it uses declared on the element itself, so the text parses alone.
std::string SerializeStandalone(const pugi::xml_node& element);

// Reads <property><name/><value/></property> children of a <configuration>
// element the way Hadoop does: names trimmed, values as written.
Properties ReadConfigurationElement(const pugi::xml_node& configuration);

// Parse flags used for workflow definitions: whitespace text is kept so a
// serialized action reads exactly as written; comments are dropped.
constexpr unsigned int kParseFlags = pugi::parse_default | pugi::parse_ws_pcdata;

}  // namespace refinery::workflow::internal
