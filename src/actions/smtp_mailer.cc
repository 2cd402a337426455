// The SMTP Mailer on libcurl: MAIL FROM, RCPT TO for to+cc+bcc, and the
// RFC 5322 message from mime_message.h as DATA (curl does the dot-stuffing).
// The password never reaches an error message.
#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>

#include "actions/mime_message.h"

namespace refinery::actions {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Feeds the message to curl's upload.
struct Upload {
  const std::string* data = nullptr;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t room = size * count;
  const size_t left = upload->data->size() - upload->offset;
  const size_t n = std::min(room, left);
  std::memcpy(buffer, upload->data->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

// Owns a CURL easy handle and a recipient list.
class CurlSession {
 public:
  CurlSession() : curl_(curl_easy_init()) {}
  ~CurlSession() {
    if (recipients_ != nullptr) curl_slist_free_all(recipients_);
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
  }
  CurlSession(const CurlSession&) = delete;
  CurlSession& operator=(const CurlSession&) = delete;
  CURL* get() const { return curl_; }
  bool AddRecipient(const std::string& address) {
    curl_slist* next = curl_slist_append(recipients_, ("<" + address + ">").c_str());
    if (next == nullptr) return false;
    recipients_ = next;
    return true;
  }
  curl_slist* recipients() const { return recipients_; }

 private:
  CURL* curl_;
  curl_slist* recipients_ = nullptr;
};

// Seeds the Message-ID and the MIME boundary.
std::string UniqueToken() {
  thread_local std::mt19937_64 engine(std::random_device{}());
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%016llx.%016llx", static_cast<unsigned long long>(engine()),
                static_cast<unsigned long long>(engine()));
  return buffer;
}

std::string Scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), "****");
    at += 4;
  }
  return text;
}

class SmtpMailer : public Mailer {
 public:
  explicit SmtpMailer(SmtpSettings settings) : settings_(std::move(settings)) {}
  Status Send(const EmailMessage& message) override;

 private:
  std::string Url() const {
    std::string host = settings_.host;
    if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
    return "smtp://" + host + ":" + std::to_string(settings_.port);
  }
  Status Transfer(const std::string& from, const std::vector<std::string>& recipients, const std::string& text);

  SmtpSettings settings_;
};

Status SmtpMailer::Send(const EmailMessage& message) {
  if (message.to.empty()) {
    return Status::InvalidArgument("No recipients were specified in the to-address field.", "EM001");
  }
  const auto from = internal::ParseMailAddress(settings_.from);
  if (!from) {
    return Status::InvalidArgument("Bad from address specified in ${oozie.email.from.address}: [" + settings_.from + "]",
                                   "EM002");
  }
  std::vector<std::string> recipients;
  for (const auto* list : {&message.to, &message.cc, &message.bcc}) {
    for (const std::string& text : *list) {
      const auto address = internal::ParseMailAddress(text);
      if (!address) {
        return Status::InvalidArgument("Bad address format in <to> or <cc> or <bcc>. [" + text + "]", "EM004");
      }
      recipients.push_back(address->address);
    }
  }
  const std::string unique = UniqueToken();
  const std::string text = internal::BuildMimeMessage(message, *from, std::chrono::system_clock::now(), unique);
  return Transfer(from->address, recipients, text);
}

Status SmtpMailer::Transfer(const std::string& from, const std::vector<std::string>& recipients,
                            const std::string& text) {
  const std::string failure = "Encountered an error while sending the email message over SMTP";
  InitCurlOnce();
  CurlSession session;
  if (session.get() == nullptr) return Status::IoError(failure + ": could not start libcurl", "EM007");
  for (const std::string& address : recipients) {
    if (!session.AddRecipient(address)) return Status::IoError(failure + ": out of memory", "EM007");
  }
  CURL* curl = session.get();
  char error_buffer[CURL_ERROR_SIZE] = {0};
  Upload upload{&text, 0};
  const std::string url = Url();
  const std::string mail_from = "<" + from + ">";
  const long timeout_ms = settings_.timeout_ms > 0 ? settings_.timeout_ms : 10000;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, session.recipients());
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  // A socket timeout: give up when nothing moves for that long.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, std::max(1L, (timeout_ms + 999) / 1000));
  if (settings_.starttls) curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (settings_.auth) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) return Status::Ok();
  std::string reason = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r')) reason.pop_back();
  return Status::IoError(Scrub(failure + ": " + reason + " (" + url + ")", settings_.password), "EM007");
}

}  // namespace

}  // namespace refinery::actions

// The entry point of plugin refinery-smtp.so (see smtp_mailer_loader.cc).
extern "C" void refinery_make_smtp_mailer(const refinery::actions::SmtpSettings* settings,
                                          std::unique_ptr<refinery::actions::Mailer>* out) {
  *out = std::make_unique<refinery::actions::SmtpMailer>(*settings);
}
