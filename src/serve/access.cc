#include "serve/access.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "serve/http_server.h"

namespace refinery::serve {
namespace {

Result<std::string> RandomHex(size_t bytes) {
  std::ifstream random("/dev/urandom", std::ios::binary);
  std::string raw(bytes, '\0');
  if (!random.read(raw.data(), static_cast<std::streamsize>(bytes))) {
    return Status::IoError("cannot read /dev/urandom to generate the server token");
  }
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 15]);
  }
  return hex;
}

bool SameSecret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  return difference == 0;
}

std::string BearerToken(const HttpRequest& request) {
  const std::string header = request.Header("authorization");
  const std::string prefix = "Bearer ";
  if (header.size() > prefix.size() && header.compare(0, prefix.size(), prefix) == 0) {
    return header.substr(prefix.size());
  }
  return "";
}

}  // namespace

Result<std::string> LoadOrCreateToken(const std::filesystem::path& path, bool* created) {
  *created = false;
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) {
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
      return Status::FailedPrecondition("the server token file " + path.string() +
                                        " can be read by other users; run `chmod 600 " + path.string() + "`");
    }
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string token = buffer.str();
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
    if (token.size() < 16) {
      return Status::FailedPrecondition("the server token in " + path.string() +
                                        " is shorter than 16 characters; delete the file to generate a new one");
    }
    return token;
  }
  REFINERY_ASSIGN_OR_RETURN(std::string token, RandomHex(32));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Status::IoError("cannot create the server token file " + path.string());
  const std::string line = token + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::fsync(fd);
  ::close(fd);
  if (!written) return Status::IoError("cannot write the server token file " + path.string());
  *created = true;
  return token;
}

bool ChangesState(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

namespace {

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A prediction is a POST because it carries a body, but it reads: marketers
// asking for scores need no admin token.
bool IsPrediction(const HttpRequest& request) {
  return request.method == "POST" && request.path.rfind("/api/v1/models/", 0) == 0 &&
         (EndsWith(request.path, "/predict") || EndsWith(request.path, "/predict.csv"));
}

}  // namespace

std::optional<HttpResponse> CheckAccess(const AccessPolicy& policy, const HttpRequest& request) {
  const bool changes_state = ChangesState(request.method) && !IsPrediction(request);
  if (!changes_state && !policy.reads_need_token) return std::nullopt;
  const std::string given = BearerToken(request);
  if (!given.empty() && SameSecret(given, policy.token)) return std::nullopt;
  HttpResponse denied = ErrorResponse(
      401, "E0002",
      given.empty() ? "this request needs the server token: send `Authorization: Bearer <token>` (the token is in "
                      "<data home>/server.token; the CLI reads it from there or from REFINERY_TOKEN)"
                    : "the token sent does not match the server token");
  denied.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"refinery\"");
  return denied;
}

}  // namespace refinery::serve
