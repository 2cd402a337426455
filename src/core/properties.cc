#include "core/properties.h"

#include <fstream>
#include <sstream>

#include <pugixml.hpp>

namespace refinery {

// ---------------------------------------------------------------------------
// Properties

void Properties::Set(const std::string& key, std::string value) {
  const auto it = index_.find(key);
  if (it != index_.end()) {
    entries_[it->second].second = std::move(value);
    return;
  }
  index_.emplace(key, entries_.size());
  entries_.emplace_back(key, std::move(value));
}

std::optional<std::string> Properties::Get(std::string_view key) const {
  const auto it = index_.find(std::string(key));
  if (it == index_.end()) return std::nullopt;
  return entries_[it->second].second;
}

std::string Properties::GetOr(std::string_view key, std::string_view fallback) const {
  const auto it = index_.find(std::string(key));
  if (it == index_.end()) return std::string(fallback);
  return entries_[it->second].second;
}

bool Properties::Contains(std::string_view key) const {
  return index_.count(std::string(key)) > 0;
}

void Properties::Erase(std::string_view key) {
  const auto it = index_.find(std::string(key));
  if (it == index_.end()) return;
  const size_t position = it->second;
  index_.erase(it);
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(position));
  for (auto& [name, index] : index_) {
    if (index > position) --index;
  }
}

void Properties::MergeFrom(const Properties& other) {
  for (const auto& [key, value] : other.entries_) Set(key, value);
}

void Properties::InjectDefaults(const Properties& defaults) {
  for (const auto& [key, value] : defaults.entries_) {
    if (!Contains(key)) Set(key, value);
  }
}

// ---------------------------------------------------------------------------
// java.util.Properties.load

namespace {

bool IsPropertiesBlank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

// One logical line as java.util.Properties' LineReader assembles it: leading
// blanks and continuation backslashes removed, comments and blank lines
// skipped.
struct LogicalLine {
  std::string text;
  int line = 0;  // natural line where the logical line starts
};

class PropertiesLineReader {
 public:
  explicit PropertiesLineReader(std::string_view text) : text_(text) {}

  // Returns false at end of input.
  bool Next(LogicalLine* out) {
    out->text.clear();
    bool skip_blank = true;
    bool comment = false;
    bool new_line = true;
    bool appended_line_begin = false;
    bool preceding_backslash = false;
    while (true) {
      if (pos_ >= text_.size()) {
        if (out->text.empty() || comment) return false;
        if (preceding_backslash) out->text.pop_back();
        return true;
      }
      const char c = text_[pos_++];
      if (skip_lf_) {
        skip_lf_ = false;
        if (c == '\n') continue;
      }
      if (c == '\n' || c == '\r') {
        ++line_;
        if (c == '\r') skip_lf_ = true;
      }
      if (skip_blank) {
        if (IsPropertiesBlank(c)) continue;
        if (!appended_line_begin && (c == '\r' || c == '\n')) continue;
        skip_blank = false;
        appended_line_begin = false;
      }
      if (new_line) {
        new_line = false;
        out->line = line_;
        if (c == '#' || c == '!') {
          comment = true;
          continue;
        }
      }
      if (c != '\n' && c != '\r') {
        out->text.push_back(c);
        preceding_backslash = (c == '\\') ? !preceding_backslash : false;
        continue;
      }
      if (comment || out->text.empty()) {
        comment = false;
        new_line = true;
        skip_blank = true;
        out->text.clear();
        preceding_backslash = false;
        continue;
      }
      if (!preceding_backslash) return true;
      out->text.pop_back();
      skip_blank = true;
      appended_line_begin = true;
      preceding_backslash = false;
    }
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  bool skip_lf_ = false;
};

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads the four hex digits after "\u" at `pos`; -1 when malformed.
int32_t ReadUnicodeEscape(std::string_view text, size_t pos) {
  if (pos + 4 > text.size()) return -1;
  int32_t value = 0;
  for (size_t i = 0; i < 4; ++i) {
    const int digit = HexValue(text[pos + i]);
    if (digit < 0) return -1;
    value = (value << 4) | digit;
  }
  return value;
}

// Properties.loadConvert: resolves backslash escapes. A Java string holds
// UTF-16, so a \u surrogate pair becomes one code point; a lone surrogate
// becomes U+FFFD.
Result<std::string> UnescapeProperties(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i++];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i >= text.size()) break;  // a lone trailing backslash is dropped
    const char escaped = text[i++];
    switch (escaped) {
      case 't': out.push_back('\t'); continue;
      case 'r': out.push_back('\r'); continue;
      case 'n': out.push_back('\n'); continue;
      case 'f': out.push_back('\f'); continue;
      case 'u': break;
      default: out.push_back(escaped); continue;
    }
    const int32_t unit = ReadUnicodeEscape(text, i);
    if (unit < 0) return Status::InvalidArgument("Malformed \\uxxxx encoding.");
    i += 4;
    uint32_t code_point = static_cast<uint32_t>(unit);
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const int32_t low = (i + 1 < text.size() && text[i] == '\\' && text[i + 1] == 'u')
                              ? ReadUnicodeEscape(text, i + 2)
                              : -1;
      if (low >= 0xDC00 && low <= 0xDFFF) {
        code_point = 0x10000 + ((static_cast<uint32_t>(unit) - 0xD800) << 10) +
                     (static_cast<uint32_t>(low) - 0xDC00);
        i += 6;
      } else {
        code_point = 0xFFFD;
      }
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      code_point = 0xFFFD;
    }
    AppendUtf8(code_point, &out);
  }
  return out;
}

// Splits a logical line into raw (still escaped) key and value the way
// Properties.load0 does.
std::pair<std::string_view, std::string_view> SplitKeyValue(std::string_view line) {
  size_t key_len = 0;
  size_t value_start = line.size();
  bool has_separator = false;
  bool preceding_backslash = false;
  while (key_len < line.size()) {
    const char c = line[key_len];
    if ((c == '=' || c == ':') && !preceding_backslash) {
      value_start = key_len + 1;
      has_separator = true;
      break;
    }
    if (IsPropertiesBlank(c) && !preceding_backslash) {
      value_start = key_len + 1;
      break;
    }
    preceding_backslash = (c == '\\') ? !preceding_backslash : false;
    ++key_len;
  }
  while (value_start < line.size()) {
    const char c = line[value_start];
    if (!IsPropertiesBlank(c)) {
      if (has_separator || (c != '=' && c != ':')) break;
      has_separator = true;
    }
    ++value_start;
  }
  return {line.substr(0, key_len), line.substr(value_start)};
}

}  // namespace

Result<Properties> ParseJavaProperties(std::string_view text, std::string_view source_name) {
  Properties properties;
  PropertiesLineReader reader(text);
  LogicalLine line;
  while (reader.Next(&line)) {
    const auto [raw_key, raw_value] = SplitKeyValue(line.text);
    Result<std::string> key = UnescapeProperties(raw_key);
    Result<std::string> value = key.ok() ? UnescapeProperties(raw_value) : key;
    if (!value.ok()) {
      return value.status().WithContext(std::string(source_name) + ":" + std::to_string(line.line));
    }
    properties.Set(*key, std::move(value).value());
  }
  return properties;
}

// ---------------------------------------------------------------------------
// java.util.Properties.store

namespace {

void AppendStoreEscaped(std::string_view text, bool escape_space, std::string* out) {
  static const char kHex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\\': *out += "\\\\"; continue;
      case '\t': *out += "\\t"; continue;
      case '\n': *out += "\\n"; continue;
      case '\r': *out += "\\r"; continue;
      case '\f': *out += "\\f"; continue;
      case '=': case ':': case '#': case '!':
        out->push_back('\\');
        out->push_back(c);
        continue;
      case ' ':
        if (i == 0 || escape_space) out->push_back('\\');
        out->push_back(' ');
        continue;
      default: break;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      *out += "\\u00";
      out->push_back(kHex[byte >> 4]);
      out->push_back(kHex[byte & 0xF]);
      continue;
    }
    out->push_back(c);  // UTF-8 bytes pass through; the reader is UTF-8 too
  }
}

}  // namespace

std::string FormatJavaProperties(const Properties& properties) {
  std::string out;
  for (const auto& [key, value] : properties.entries()) {
    AppendStoreEscaped(key, /*escape_space=*/true, &out);
    out.push_back('=');
    AppendStoreEscaped(value, /*escape_space=*/false, &out);
    out.push_back('\n');
  }
  return out;
}

// ---------------------------------------------------------------------------
// Hadoop configuration XML

namespace {

int LineOfOffset(std::string_view text, ptrdiff_t offset) {
  if (offset < 0) return 1;
  const size_t end = std::min(static_cast<size_t>(offset), text.size());
  int line = 1;
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') ++line;
  }
  return line;
}

std::string TrimXmlText(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  const auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

// The text of the first child when it is text, as Hadoop's
// `field.getFirstChild().getData()` reads it; nullopt when there is none.
std::optional<std::string> FirstChildText(const pugi::xml_node& field) {
  const pugi::xml_node first = field.first_child();
  if (!first) return std::nullopt;
  if (first.type() != pugi::node_pcdata && first.type() != pugi::node_cdata) return std::nullopt;
  return std::string(first.value());
}

class HadoopConfigurationReader {
 public:
  HadoopConfigurationReader(std::string_view xml, std::string_view source_name)
      : xml_(xml), source_name_(source_name) {}

  Status Read(const pugi::xml_node& configuration, int depth, Properties* out) const {
    if (depth > 32) return Error(configuration, "configuration nesting too deep");
    for (const pugi::xml_node& child : configuration.children()) {
      if (child.type() != pugi::node_element) continue;
      const std::string_view tag = child.name();
      if (tag == "configuration") {
        REFINERY_RETURN_IF_ERROR(Read(child, depth + 1, out));
        continue;
      }
      if (tag != "property") {
        return Error(child, "bad conf file: element not <property>, found <" + std::string(tag) + ">");
      }
      ReadProperty(child, out);
    }
    return Status::Ok();
  }

  Status Error(const pugi::xml_node& node, const std::string& message) const {
    return Status::InvalidArgument(message).WithContext(source_name_ + ":" +
                                                        std::to_string(LineOfOffset(xml_, node.offset_debug())));
  }

 private:
  static void ReadProperty(const pugi::xml_node& property, Properties* out) {
    std::optional<std::string> name;
    std::optional<std::string> value;
    for (const pugi::xml_node& field : property.children()) {
      if (field.type() != pugi::node_element) continue;
      const std::string_view tag = field.name();
      if (tag == "name") {
        if (auto text = FirstChildText(field)) name = TrimXmlText(*text);
      } else if (tag == "value") {
        value = FirstChildText(field).value_or("");
      }
    }
    // Hadoop drops a property without <value>; Refinery keeps <value/> as "".
    if (name && value) out->Set(*name, std::move(*value));
  }

  std::string_view xml_;
  std::string source_name_;
};

void AppendXmlEscaped(std::string_view text, std::string* out) {
  for (const char c : text) {
    switch (c) {
      case '&': *out += "&amp;"; break;
      case '<': *out += "&lt;"; break;
      case '>': *out += "&gt;"; break;
      case '"': *out += "&quot;"; break;
      case '\r': *out += "&#13;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          *out += "&#" + std::to_string(static_cast<int>(c)) + ";";
        } else {
          out->push_back(c);
        }
    }
  }
}

}  // namespace

Result<Properties> ParseHadoopConfigurationXml(std::string_view xml, std::string_view source_name) {
  pugi::xml_document document;
  const pugi::xml_parse_result parsed = document.load_buffer(
      xml.data(), xml.size(), pugi::parse_default | pugi::parse_ws_pcdata_single, pugi::encoding_utf8);
  const std::string source(source_name);
  if (!parsed) {
    return Status::InvalidArgument(std::string("XML parse error: ") + parsed.description())
        .WithContext(source + ":" + std::to_string(LineOfOffset(xml, parsed.offset)));
  }
  const HadoopConfigurationReader reader(xml, source_name);
  const pugi::xml_node root = document.document_element();
  if (std::string_view(root.name()) != "configuration") {
    return reader.Error(root, "bad conf file: top-level element not <configuration>");
  }
  Properties properties;
  REFINERY_RETURN_IF_ERROR(reader.Read(root, 0, &properties));
  return properties;
}

std::string FormatHadoopConfigurationXml(const Properties& properties) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n";
  for (const auto& [key, value] : properties.entries()) {
    out += "  <property>\n    <name>";
    AppendXmlEscaped(key, &out);
    out += "</name>\n    <value>";
    AppendXmlEscaped(value, &out);
    out += "</value>\n  </property>\n";
  }
  out += "</configuration>\n";
  return out;
}

// ---------------------------------------------------------------------------
// Files

namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

Result<Properties> LoadConfigurationFile(const std::string& path) {
  const bool is_properties = EndsWith(path, ".properties");
  const bool is_xml = EndsWith(path, ".xml");
  if (!is_properties && !is_xml) {
    return Status::InvalidArgument("configuration must be a '.properties' or a '.xml' file, got [" + path +
                                   "]");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("configuration file [" + path + "] not found");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IoError("could not read configuration file [" + path + "]");
  const std::string text = buffer.str();
  if (is_properties) return ParseJavaProperties(text, path);
  return ParseHadoopConfigurationXml(text, path);
}

}  // namespace refinery
