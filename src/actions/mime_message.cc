#include "actions/mime_message.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <vector>

namespace refinery::actions::internal {
namespace {

constexpr size_t kMaxLineLength = 998;   // RFC 5322 §2.1.1
constexpr size_t kEncodedWordBytes = 45;  // 60 base64 chars + 12 = 72 <= 75

bool IsAtomChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  static const std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
  return kSpecials.find(c) != std::string_view::npos;
}

bool ValidLocalPart(std::string_view local) {
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.') return false;
  for (size_t i = 0; i < local.size(); ++i) {
    if (local[i] == '.') {
      if (local[i + 1] == '.') return false;
      continue;
    }
    if (!IsAtomChar(local[i])) return false;
  }
  return true;
}

bool ValidDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 255) return false;
  if (domain.front() == '[') {
    if (domain.back() != ']' || domain.size() < 3) return false;
    for (char c : domain.substr(1, domain.size() - 2)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '.' && c != ':') return false;
    }
    return true;
  }
  size_t start = 0;
  while (start <= domain.size()) {
    size_t dot = domain.find('.', start);
    if (dot == std::string_view::npos) dot = domain.size();
    const std::string_view label = domain.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    start = dot + 1;
  }
  return true;
}

std::string_view TrimView(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool IsPrintableAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) return false;
  }
  return true;
}

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) > 0x7F) return false;
  }
  return true;
}

// Body text with every line ending as CRLF.
std::string ToCrlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

bool HasLongLine(std::string_view crlf_text) {
  size_t start = 0;
  while (start < crlf_text.size()) {
    size_t end = crlf_text.find("\r\n", start);
    if (end == std::string_view::npos) end = crlf_text.size();
    if (end - start > kMaxLineLength) return true;
    start = end + 2;
  }
  return false;
}

std::string HeaderSafe(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  }
  return out;
}

std::string AddressList(const std::vector<std::string>& addresses) {
  std::string out;
  for (const std::string& text : addresses) {
    const auto address = ParseMailAddress(text);
    if (!address) continue;  // validated by the caller
    if (!out.empty()) out += ",\r\n ";
    out += FormatMailAddress(*address);
  }
  return out;
}

bool EndsWithCrlf(const std::string& text) {
  return text.size() >= 2 && text[text.size() - 2] == '\r' && text.back() == '\n';
}

// The body part's headers and text. In a multipart message the CRLF before
// the next boundary belongs to the boundary, so one is always added.
void AppendBodyPart(const EmailMessage& message, bool multipart, std::string* out) {
  std::string content_type = HeaderSafe(message.content_type.empty() ? "text/plain" : message.content_type);
  const std::string body = ToCrlf(message.body);
  std::string lowered = content_type;
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!IsAscii(body) && lowered.find("charset") == std::string::npos) content_type += "; charset=UTF-8";
  *out += "Content-Type: " + content_type + "\r\n";
  if (IsAscii(body) && !HasLongLine(body)) {
    *out += "Content-Transfer-Encoding: 7bit\r\n\r\n" + body;
    if (multipart || !EndsWithCrlf(body)) *out += "\r\n";
    return;
  }
  *out += "Content-Transfer-Encoding: base64\r\n\r\n" + Base64(body, 76) + "\r\n";
}

std::string QuotedParameter(const std::string& value) {
  std::string out = "\"";
  for (char c : HeaderSafe(value)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string FileNameParameter(const std::string& name) {
  if (IsPrintableAscii(name)) return QuotedParameter(name);
  return "\"" + EncodeHeaderText(name) + "\"";  // RFC 2047 in a parameter: what mail clients read
}

}  // namespace

std::optional<MailAddress> ParseMailAddress(std::string_view text) {
  text = TrimView(text);
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return std::nullopt;
  }
  MailAddress result;
  std::string_view address = text;
  const size_t open = text.find('<');
  if (open != std::string_view::npos) {
    if (text.back() != '>' || text.find('<', open + 1) != std::string_view::npos) return std::nullopt;
    std::string_view display = TrimView(text.substr(0, open));
    if (display.size() >= 2 && display.front() == '"' && display.back() == '"') {
      display = display.substr(1, display.size() - 2);
    }
    if (display.find_first_of("<>\"") != std::string_view::npos) return std::nullopt;
    result.display = std::string(display);
    address = TrimView(text.substr(open + 1, text.size() - open - 2));
  }
  const size_t at = address.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  if (!ValidLocalPart(address.substr(0, at)) || !ValidDomain(address.substr(at + 1))) return std::nullopt;
  result.address = std::string(address);
  return result;
}

std::string FormatMailAddress(const MailAddress& address) {
  if (address.display.empty()) return address.address;
  if (!IsPrintableAscii(address.display)) return EncodeHeaderText(address.display) + " <" + address.address + ">";
  return QuotedParameter(address.display) + " <" + address.address + ">";
}

std::string EncodeHeaderText(std::string_view text) {
  const std::string safe = HeaderSafe(text);
  if (IsPrintableAscii(safe) && safe.size() <= 900) return safe;
  std::string out;
  size_t start = 0;
  while (start < safe.size()) {
    size_t end = std::min(safe.size(), start + kEncodedWordBytes);
    // Never split a UTF-8 sequence: back up over continuation bytes.
    while (end < safe.size() && end > start + 1 && (static_cast<unsigned char>(safe[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(std::string_view(safe).substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string Base64(std::string_view data, size_t line_length) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4 + (line_length > 0 ? data.size() / line_length * 2 : 0));
  size_t column = 0;
  auto put = [&](char c) {
    if (line_length > 0 && column == line_length) {
      out += "\r\n";
      column = 0;
    }
    out += c;
    ++column;
  };
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8) |
                       static_cast<uint8_t>(data[i + 2]);
    put(kAlphabet[(n >> 18) & 63]);
    put(kAlphabet[(n >> 12) & 63]);
    put(kAlphabet[(n >> 6) & 63]);
    put(kAlphabet[n & 63]);
  }
  if (i < data.size()) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16;
    if (i + 1 < data.size()) n |= static_cast<uint8_t>(data[i + 1]) << 8;
    put(kAlphabet[(n >> 18) & 63]);
    put(kAlphabet[(n >> 12) & 63]);
    put(i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=');
    put('=');
  }
  return out;
}

std::string FormatRfc5322Date(TimePoint time) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday % 7], utc.tm_mday,
                kMonths[utc.tm_mon % 12], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return buffer;
}

std::string BuildMimeMessage(const EmailMessage& message, const MailAddress& from, TimePoint date,
                             const std::string& unique) {
  std::string out;
  out += "Date: " + FormatRfc5322Date(date) + "\r\n";
  out += "From: " + FormatMailAddress(from) + "\r\n";
  out += "To: " + AddressList(message.to) + "\r\n";
  if (!message.cc.empty()) out += "Cc: " + AddressList(message.cc) + "\r\n";
  out += "Subject: " + EncodeHeaderText(message.subject) + "\r\n";
  out += "Message-ID: <" + unique + "@refinery>\r\n";
  out += "MIME-Version: 1.0\r\n";
  if (message.attachments.empty()) {
    AppendBodyPart(message, /*multipart=*/false, &out);
    return out;
  }
  const std::string boundary = "=_refinery_" + unique;
  out += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "This is a multi-part message in MIME format.\r\n";
  out += "--" + boundary + "\r\n";
  AppendBodyPart(message, /*multipart=*/true, &out);
  for (const auto& [name, bytes] : message.attachments) {
    out += "--" + boundary + "\r\n";
    out += "Content-Type: application/octet-stream; name=" + FileNameParameter(name) + "\r\n";
    out += "Content-Disposition: attachment; filename=" + FileNameParameter(name) + "\r\n";
    out += "Content-Transfer-Encoding: base64\r\n\r\n";
    out += Base64(bytes, 76) + "\r\n";
  }
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace refinery::actions::internal
