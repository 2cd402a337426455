// The <email> action (EmailActionExecutor): recipients, subject, body,
// content type and file-system attachments, sent through the context's
// Mailer.
#include "actions/action_util.h"
#include "actions/mime_message.h"

namespace refinery::actions::internal {
namespace {

constexpr char kAttachmentsEnabled[] = "oozie.email.attachment.enabled";
// Oozie's EMAIL_ATTACHMENT_ERROR_MSG, appended when attachments are disabled.
constexpr char kAttachmentsDisabledNote[] =
    "\n Note: This email is missing configured email attachments as sending attachments in email action is "
    "disabled in the Oozie server. It could be for security compliance with data protection or other reasons";

const std::vector<SettingSpec>& EmailSettings() {
  static const std::vector<SettingSpec> kSettings = {
      {"to", "", "a@b.c[,...]", "recipients (required, EM001 when empty)"},
      {"cc", "", "a@b.c[,...]", "copy recipients"},
      {"bcc", "", "a@b.c[,...]", "blind copy recipients"},
      {"subject", "", "", "the subject line"},
      {"body", "", "", "the message text"},
      {"content_type", "text/plain", "", "MIME type of the body, e.g. text/html"},
      {"attachment", "", "path[,...]", "files on the file system to attach (not file://)"},
      {kAttachmentsEnabled, "false", "true|false", "attach <attachment> files; otherwise a note is added"},
  };
  return kSettings;
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

ActionResult Attach(const ActionContext& context, const std::vector<std::string>& paths, EmailMessage* message) {
  ActionResult error;
  if (MissingService(context.files, "file system", &error)) return error;
  for (const std::string& path : paths) {
    if (path.rfind("file:", 0) == 0) {
      return ActionResult::Error("EM008",
                                 "Encountered an error when attaching a file. A local file cannot be attached:" + path);
    }
    auto bytes = context.files->ReadFile(path);
    if (!bytes.ok()) {
      return ActionResult::Error("EM008", "Encountered an error when attaching a file: " + bytes.status().message());
    }
    message->attachments.emplace_back(BaseName(path), std::move(*bytes));
  }
  return ActionResult::Ok();
}

class EmailAction : public Action {
 public:
  std::string type() const override { return "email"; }
  bool idempotent() const override { return false; }  // a rerun sends the mail twice
  std::vector<SettingSpec> settings() const override { return EmailSettings(); }

  ActionResult Run(ActionContext& context) override {
    ActionResult error;
    if (MissingService(context.mailer, "mailer", &error)) return error;
    pugi::xml_document doc;
    const pugi::xml_node element = ParseActionElement(context.action_xml, "email", &doc, &error);
    if (!element) return error;

    EmailMessage message;
    message.to = SplitList(ChildText(element, "to"));
    if (message.to.empty()) {
      return ActionResult::Error("EM001", "No recipients were specified in the to-address field.");
    }
    message.cc = SplitList(ChildText(element, "cc"));
    message.bcc = SplitList(ChildText(element, "bcc"));
    for (const auto* list : {&message.to, &message.cc, &message.bcc}) {
      for (const std::string& address : *list) {
        if (!ParseMailAddress(address)) {
          return ActionResult::Error("EM004", "Bad address format in <to> or <cc> or <bcc>. [" + address + "]");
        }
      }
    }
    message.subject = ChildText(element, "subject");
    message.body = ChildText(element, "body");
    const std::string content_type = ChildText(element, "content_type");
    message.content_type = content_type.empty() ? "text/plain" : content_type;

    const std::vector<std::string> attachments = SplitList(ChildText(element, "attachment"));
    if (!attachments.empty()) {
      if (BoolSetting(context, EmailSettings(), kAttachmentsEnabled)) {
        ActionResult attached = Attach(context, attachments, &message);
        if (attached.outcome != Outcome::kOk) return attached;
      } else {
        message.body += kAttachmentsDisabledNote;
      }
    }
    Report(context, "Sending e-mail [" + message.subject + "] to " + std::to_string(message.to.size() + message.cc.size() +
                                                                                     message.bcc.size()) +
                        " recipient(s)");
    const Status sent = context.mailer->Send(message);
    if (!sent.ok()) return FromStatus(sent, "EM007");
    return ActionResult::Ok();
  }
};

}  // namespace

std::unique_ptr<Action> MakeEmailAction() { return std::make_unique<EmailAction>(); }

}  // namespace refinery::actions::internal
