// What a store location names, and how it may be shown: kept apart from
// open_store.cc so the pgstore plugin can use it without the SQLite store.
#include <algorithm>
#include <cstring>

#include "store/postgres_store.h"
#include "store/store.h"

namespace refinery::store {

bool IsPostgresLocation(const std::string& location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

std::string MaskPassword(const std::string& location) {
  std::string out = location;
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t end = std::min(out.find_first_of("/?#", start), out.size());
    // The user part ends at the last '@' before the path: a password may
    // hold '@' (percent-encoded or not).
    const size_t at = end == start ? std::string::npos : out.rfind('@', end - 1);
    if (at != std::string::npos && at >= start) {
      const size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... as a URI parameter or in a keyword/value string.
  constexpr char kKey[] = "password=";
  for (size_t at = out.find(kKey); at != std::string::npos; at = out.find(kKey, at + 1)) {
    const bool starts_word = at == 0 || out[at - 1] == '?' || out[at - 1] == '&' || out[at - 1] == ' ';
    if (!starts_word) continue;
    const size_t value = at + std::strlen(kKey);
    const size_t stop = std::min(out.find_first_of("& #", value), out.size());
    out.replace(value, stop - value, "***");
  }
  return out;
}

}  // namespace refinery::store
