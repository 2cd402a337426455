// Java library behaviour that Oozie's basic EL functions inherit:
// String.replaceAll and String.split (through std::regex), String.trim,
// URLEncoder.encode, json-simple's JSON text and Oozie's XML escaping.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "el/el.h"

namespace refinery::el::internal {

// Results of replaceAll/appendAll larger than this are an error, so nested
// calls cannot grow a string without bound.
inline constexpr size_t kMaxRegexResultBytes = 16 << 20;

// String.replaceAll(regex, replacement): `$n` inserts group n, `\x` is a
// literal x. Patterns run as ECMAScript with a leading (?i) honoured;
// back-references inside the pattern and named groups are not supported.
Result<std::string> JavaReplaceAll(std::string_view src, std::string_view regex, std::string_view replacement);

// String.split(regex) as Oozie's tests expect it (Java 7): a zero-width
// match at the start yields a leading "" and trailing empty pieces are
// dropped.
Result<std::vector<std::string>> JavaSplit(std::string_view src, std::string_view regex);

// String.trim: every char <= ' ' leaves both ends.
std::string JavaTrim(std::string_view s);

// URLEncoder.encode(s, "UTF-8"): a-z A-Z 0-9 . - * _ stay, space -> +,
// every other byte -> %XX.
std::string UrlEncode(std::string_view s);

// Oozie's XmlUtils.escapeCharsForXML: & < > " ' as entities.
std::string EscapeXml(std::string_view s);

// json-simple's toJSONString: maps as {"k":v} without spaces, '/' escaped.
std::string ToJsonText(const Value& value);

}  // namespace refinery::el::internal
