// Who may do what. Every request that changes state (anything but GET, HEAD
// and OPTIONS) must carry the server token as `Authorization: Bearer <token>`;
// reads may also require it. The token is generated at first start into a
// file only its owner can read, and compared in constant time.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/status.h"
#include "serve/http.h"

namespace refinery::serve {

struct AccessPolicy {
  std::string token;
  bool reads_need_token = false;
};

// Reads the token from `path`, or creates it there (mode 0600, 32 random
// bytes as hex) when the file does not exist; `created` says which. A file
// that others can read is refused: the fix is `chmod 600`.
Result<std::string> LoadOrCreateToken(const std::filesystem::path& path, bool* created);

bool ChangesState(const std::string& method);

// nullopt when the request may proceed, else the 401 response to send.
std::optional<HttpResponse> CheckAccess(const AccessPolicy& policy, const HttpRequest& request);

}  // namespace refinery::serve
