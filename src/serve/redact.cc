#include "serve/redact.h"

#include <algorithm>
#include <regex>
#include <vector>

#include "core/properties.h"

namespace refinery::serve {

bool IsSecretKey(const std::string& key) {
  std::string lower = key;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* word : {"password", "passwd", "secret", "token", "credential"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string RedactDefinitionXml(const std::string& xml) {
  static const std::regex kPasswordElement(R"((<password>)[^<]*(</password>))");
  static const std::regex kPasswordArgElements(R"((<arg>\s*--password\s*</arg>\s*<arg>)[^<]*(</arg>))");
  static const std::regex kPasswordInline(R"((--password[= ]+)[^\s<"']+)");
  std::string out = std::regex_replace(xml, kPasswordElement, std::string("$1") + kRedacted + "$2");
  out = std::regex_replace(out, kPasswordArgElements, std::string("$1") + kRedacted + "$2");
  return std::regex_replace(out, kPasswordInline, std::string("$1") + kRedacted);
}

std::string RedactConfigurationXml(const std::string& xml) {
  auto conf = ParseHadoopConfigurationXml(xml, "configuration");
  if (!conf.ok()) return RedactDefinitionXml(xml);
  std::vector<std::string> secret_keys;
  for (const auto& [key, value] : conf->entries()) {
    if (IsSecretKey(key) && !value.empty()) secret_keys.push_back(key);
  }
  if (secret_keys.empty()) return xml;
  for (const std::string& key : secret_keys) conf->Set(key, kRedacted);
  return FormatHadoopConfigurationXml(*conf);
}

}  // namespace refinery::serve
