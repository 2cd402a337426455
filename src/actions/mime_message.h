// Internal to actions/: e-mail addresses and RFC 5322 / MIME message text for
// the SMTP mailer (and the email action's address check). Pure functions, so
// the exact bytes are testable without a server.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "actions/action.h"
#include "core/clock.h"

namespace refinery::actions::internal {

struct MailAddress {
  std::string display;  // "" when none
  std::string address;  // local@domain
};

// Accepts "local@domain" or "Display Name <local@domain>" (ASCII address,
// dot-atom local part, host name or [literal] domain). Anything else, and
// any control character, is nullopt.
std::optional<MailAddress> ParseMailAddress(std::string_view text);

// The address as a header value: `a@b` or `"Name" <a@b>` (RFC 2047 encoded
// when the name is not ASCII).
std::string FormatMailAddress(const MailAddress& address);

// Header text: printable ASCII unchanged; otherwise UTF-8 RFC 2047 "B"
// encoded-words of at most 75 characters, folded with CRLF SP. Control
// characters become spaces (no header injection).
std::string EncodeHeaderText(std::string_view text);

// Base64 (RFC 4648); `line_length` > 0 breaks lines with CRLF.
std::string Base64(std::string_view data, size_t line_length = 0);

// "Tue, 02 Jan 2024 15:04:05 +0000".
std::string FormatRfc5322Date(TimePoint time);

// The whole message with CRLF line endings: Date, From, To, Cc (never Bcc),
// Subject, Message-ID, MIME headers; multipart/mixed with base64 parts when
// there are attachments. `unique` seeds the Message-ID and the boundary.
// Addresses must have passed ParseMailAddress.
std::string BuildMimeMessage(const EmailMessage& message, const MailAddress& from, TimePoint date,
                             const std::string& unique);

}  // namespace refinery::actions::internal
