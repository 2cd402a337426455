// MakeSmtpMailer hands out a mailer that loads the SMTP plugin (libcurl) on
// the first message, so jobs that send no mail never load libcurl.
#include <mutex>

#include "actions/action.h"
#include "core/plugin.h"

namespace refinery::actions {
namespace {

class PluginMailer : public Mailer {
 public:
  explicit PluginMailer(SmtpSettings settings) : settings_(std::move(settings)) {}

  Status Send(const EmailMessage& message) override {
    Mailer* mailer = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!loaded_) {
        Status status = Load();
        if (!status.ok()) return Status::IoError("Could not send mail: " + status.message(), "EM007");
      }
      mailer = loaded_.get();
    }
    return mailer->Send(message);
  }

 private:
  Status Load() {
    using Entry = void (*)(const SmtpSettings*, std::unique_ptr<Mailer>*);
    auto address = FindPluginSymbol("smtp", "refinery_make_smtp_mailer");
    if (!address.ok()) return address.status();
    reinterpret_cast<Entry>(*address)(&settings_, &loaded_);
    if (!loaded_) return Status::Internal("the SMTP plugin made no mailer", kPluginCode);
    return Status::Ok();
  }

  SmtpSettings settings_;
  std::mutex mutex_;
  std::unique_ptr<Mailer> loaded_;
};

}  // namespace

std::unique_ptr<Mailer> MakeSmtpMailer(SmtpSettings settings) {
  return std::make_unique<PluginMailer>(std::move(settings));
}

}  // namespace refinery::actions
