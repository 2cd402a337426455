#include "workflow/xml_support.h"

#include <algorithm>
#include <set>

namespace refinery::workflow::internal {

LineIndex::LineIndex(std::string_view text) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts_.push_back(i + 1);
  }
}

int LineIndex::LineOf(ptrdiff_t offset) const {
  if (offset < 0) return 1;
  const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), static_cast<size_t>(offset));
  return static_cast<int>(it - line_starts_.begin());
}

std::string_view LocalName(std::string_view qualified_name) {
  const size_t colon = qualified_name.find(':');
  return colon == std::string_view::npos ? qualified_name : qualified_name.substr(colon + 1);
}

std::string_view Prefix(std::string_view qualified_name) {
  const size_t colon = qualified_name.find(':');
  return colon == std::string_view::npos ? std::string_view() : qualified_name.substr(0, colon);
}

std::string ResolveNamespace(const pugi::xml_node& node, std::string_view prefix) {
  if (prefix == "xml") return "http://www.w3.org/XML/1998/namespace";
  const std::string attribute_name = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    const pugi::xml_attribute declaration = n.attribute(attribute_name.c_str());
    if (declaration) return declaration.value();
  }
  return "";
}

std::string ElementText(const pugi::xml_node& element) {
  std::string text;
  for (const pugi::xml_node& child : element.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) text += child.value();
  }
  return text;
}

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

std::string Trim(std::string_view text) {
  // Java's String.trim(): every char <= ' ' at either end.
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && static_cast<unsigned char>(text[begin]) <= ' ') ++begin;
  while (end > begin && static_cast<unsigned char>(text[end - 1]) <= ' ') --end;
  return std::string(text.substr(begin, end - begin));
}

pugi::xml_node ChildByLocalName(const pugi::xml_node& parent, std::string_view local_name) {
  for (const pugi::xml_node& child : parent.children()) {
    if (child.type() == pugi::node_element && LocalName(child.name()) == local_name) return child;
  }
  return pugi::xml_node();
}

namespace {

// Every prefix an element subtree uses ("" for the default namespace) and
// every prefix it declares itself. Iterative: lax extension content may nest
// deeply.
void CollectPrefixes(const pugi::xml_node& root, std::set<std::string>* used, std::set<std::string>* declared) {
  for (const pugi::xml_attribute& a : root.attributes()) {
    const std::string_view name = a.name();
    if (name == "xmlns") declared->insert("");
    if (name.rfind("xmlns:", 0) == 0) declared->insert(std::string(name.substr(6)));
  }
  pugi::xml_node node = root;
  while (node) {
    if (node.type() == pugi::node_element) {
      used->insert(std::string(Prefix(node.name())));
      for (const pugi::xml_attribute& a : node.attributes()) {
        const std::string_view prefix = Prefix(a.name());
        if (!prefix.empty() && prefix != "xmlns" && prefix != "xml") used->insert(std::string(prefix));
      }
    }
    if (node.first_child()) {
      node = node.first_child();
      continue;
    }
    while (node && node != root && !node.next_sibling()) node = node.parent();
    if (!node || node == root) break;
    node = node.next_sibling();
  }
}

class StringWriter : public pugi::xml_writer {
 public:
  void write(const void* data, size_t size) override { out.append(static_cast<const char*>(data), size); }
  std::string out;
};

}  // namespace

std::string SerializeStandalone(const pugi::xml_node& element) {
  std::set<std::string> used, declared;
  CollectPrefixes(element, &used, &declared);
  pugi::xml_document copy;
  pugi::xml_node root = copy.append_copy(element);
  for (const std::string& prefix : used) {
    if (declared.count(prefix)) continue;
    const std::string uri = ResolveNamespace(element, prefix);
    if (uri.empty() && prefix.empty()) continue;
    const std::string attribute = prefix.empty() ? "xmlns" : "xmlns:" + prefix;
    root.prepend_attribute(attribute.c_str()).set_value(uri.c_str());
  }
  StringWriter writer;
  root.print(writer, "", pugi::format_raw, pugi::encoding_utf8);
  return writer.out;
}

Properties ReadConfigurationElement(const pugi::xml_node& configuration) {
  Properties properties;
  for (const pugi::xml_node& property : configuration.children()) {
    if (property.type() != pugi::node_element || LocalName(property.name()) != "property") continue;
    const pugi::xml_node name = ChildByLocalName(property, "name");
    const pugi::xml_node value = ChildByLocalName(property, "value");
    if (!name || !value) continue;
    properties.Set(Trim(ElementText(name)), ElementText(value));
  }
  return properties;
}

}  // namespace refinery::workflow::internal
