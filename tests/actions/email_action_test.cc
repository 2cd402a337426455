#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "actions/action.h"
#include "actions/mime_message.h"
#include "action_test_util.h"
#include "smtp_sink.h"

namespace refinery::actions {
namespace {

using testing::ReadLocal;
using testing::WriteLocal;
namespace stdfs = std::filesystem;

// Reads a stored message back with Python's email package, one field a line.
constexpr char kDescribe[] = R"(
import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
for name in ('From', 'To', 'Cc', 'Bcc', 'Subject', 'X-MailFrom', 'X-RcptTo', 'Date', 'Message-ID'):
    print(name.upper() + '=' + str(m[name]))
body = m.get_body(preferencelist=('html', 'plain'))
print('TYPE=' + body.get_content_type())
print('BODY=' + repr(body.get_content().replace('\r\n', '\n')))
for part in m.iter_attachments():
    print('ATTACH=' + part.get_filename() + ':' + part.get_payload(decode=True).hex())
print('DEFECTS=' + str(len(m.defects)))
)";

class RecordingMailer : public Mailer {
 public:
  Status Send(const EmailMessage& message) override {
    sent.push_back(message);
    return result;
  }
  std::vector<EmailMessage> sent;
  Status result;
};

class EmailActionTest : public testing::ActionTest {
 protected:
  void SetUp() override {
    ActionTest::SetUp();
    RegisterBuiltinActions(&registry_);
  }
  void TearDown() override {
    server_.Stop();
    ActionTest::TearDown();
  }
  ActionResult RunEmail(const std::string& body, Mailer* mailer) {
    ActionContext context = Context("<email xmlns='uri:oozie:email-action:0.2'>" + body + "</email>");
    context.mailer = mailer;
    return registry_.Find("email")->Run(context);
  }
  // Field -> value lines from kDescribe.
  std::map<std::string, std::string> Describe(const stdfs::path& message) {
    ProcessSpec spec;
    spec.argv = {"/usr/bin/python3", "-c", kDescribe, message.string()};
    Cancellation never;
    auto outcome = processes_->Run(spec, never);
    std::map<std::string, std::string> fields;
    if (!outcome.ok()) return fields;
    size_t start = 0;
    const std::string& text = outcome->stdout_text;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      const std::string line = text.substr(start, end - start);
      const size_t equals = line.find('=');
      if (equals != std::string::npos) {
        const std::string key = line.substr(0, equals);
        fields[key] += (fields.count(key) && !fields[key].empty() ? "\n" : "") + line.substr(equals + 1);
      }
      start = end + 1;
    }
    if (fields.empty()) fields["ERROR"] = outcome->stderr_tail;
    return fields;
  }
  std::unique_ptr<Mailer> MailerFor(int port, bool auth = false) {
    SmtpSettings settings;
    settings.host = "127.0.0.1";
    settings.port = port;
    settings.from = "refinery@example.org";
    settings.auth = auth;
    settings.username = "robot";
    settings.password = "s3cr3t-pa55";
    settings.timeout_ms = 3000;
    return MakeSmtpMailer(settings);
  }

  ActionRegistry registry_;
  ::refinery::testing::SmtpSink server_;
};

TEST_F(EmailActionTest, SendsThroughARealSmtpServer) {
  ASSERT_TRUE(server_.Start(base_));
  auto mailer = MailerFor(server_.port());
  const ActionResult result = RunEmail(
      "<to>alice@example.com, bob@example.com</to><cc>Carol Jones &lt;carol@example.com&gt;</cc>"
      "<bcc>dave@example.com</bcc><subject>Nightly load done</subject>"
      "<body>Rows loaded: 42\n.a line that starts with a dot\nbye</body>",
      mailer.get());
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  const auto messages = server_.Messages(1);
  ASSERT_EQ(messages.size(), 1u);
  auto fields = Describe(messages[0]);
  EXPECT_EQ(fields["FROM"], "refinery@example.org") << fields["ERROR"];
  EXPECT_EQ(fields["TO"], "alice@example.com, bob@example.com");
  EXPECT_EQ(fields["CC"], "Carol Jones <carol@example.com>");
  EXPECT_EQ(fields["BCC"], "None");  // blind copies stay out of the headers...
  EXPECT_EQ(fields["X-RCPTTO"], "alice@example.com, bob@example.com, carol@example.com, dave@example.com");  // ...not the envelope
  EXPECT_EQ(fields["X-MAILFROM"], "refinery@example.org");
  EXPECT_EQ(fields["SUBJECT"], "Nightly load done");
  EXPECT_EQ(fields["TYPE"], "text/plain");
  EXPECT_EQ(fields["BODY"], "'Rows loaded: 42\\n.a line that starts with a dot\\nbye\\n'");
  EXPECT_FALSE(fields["DATE"].empty());
  EXPECT_NE(fields["MESSAGE-ID"].find("@refinery>"), std::string::npos);
  EXPECT_EQ(fields["DEFECTS"], "0");
}

TEST_F(EmailActionTest, SendsAttachmentsAsMultipartWhenEnabled) {
  ASSERT_TRUE(server_.Start(base_));
  auto mailer = MailerFor(server_.port());
  WriteLocal(root_ / "user/joe/report.csv", "id,value\n1,2\n");
  WriteLocal(root_ / "user/joe/blob.bin", std::string("\x00\xff\x10", 3));
  job_conf_.Set("oozie.email.attachment.enabled", "true");
  const ActionResult result = RunEmail(
      "<to>ops@example.com</to><subject>Résumé des données ✓</subject><body>Bonjour, voilà.</body>"
      "<content_type>text/html</content_type>"
      "<attachment>hdfs://localhost:8020/user/joe/report.csv,/user/joe/blob.bin</attachment>",
      mailer.get());
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  const auto messages = server_.Messages(1);
  ASSERT_EQ(messages.size(), 1u);
  const std::string raw = ReadLocal(messages[0]);
  EXPECT_NE(raw.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(raw.find("multipart/mixed"), std::string::npos);
  auto fields = Describe(messages[0]);
  EXPECT_EQ(fields["SUBJECT"], "Résumé des données ✓") << fields["ERROR"];
  EXPECT_EQ(fields["TYPE"], "text/html");
  EXPECT_EQ(fields["BODY"], "'Bonjour, voilà.'");
  EXPECT_EQ(fields["ATTACH"], "report.csv:69642c76616c75650a312c320a\nblob.bin:00ff10");
  EXPECT_EQ(fields["DEFECTS"], "0");
}

TEST_F(EmailActionTest, AttachmentsDisabledByDefaultAddOozieNote) {
  RecordingMailer mailer;
  WriteLocal(root_ / "user/joe/report.csv", "x");
  const ActionResult result =
      RunEmail("<to>a@example.com</to><subject>s</subject><body>hi</body>"
               "<attachment>/user/joe/report.csv</attachment>",
               &mailer);
  ASSERT_EQ(result.outcome, Outcome::kOk);
  ASSERT_EQ(mailer.sent.size(), 1u);
  EXPECT_TRUE(mailer.sent[0].attachments.empty());
  EXPECT_EQ(mailer.sent[0].body.rfind("hi\n Note: This email is missing configured email attachments", 0), 0u);
}

TEST_F(EmailActionTest, LocalOrMissingAttachmentIsEM008) {
  RecordingMailer mailer;
  job_conf_.Set("oozie.email.attachment.enabled", "true");
  const ActionResult local =
      RunEmail("<to>a@example.com</to><subject>s</subject><body>b</body><attachment>file:///etc/passwd</attachment>",
               &mailer);
  EXPECT_EQ(local.error_code, "EM008");
  EXPECT_NE(local.error_message.find("A local file cannot be attached"), std::string::npos);
  EXPECT_EQ(RunEmail("<to>a@example.com</to><subject>s</subject><body>b</body><attachment>/none</attachment>", &mailer)
                .error_code,
            "EM008");
  EXPECT_TRUE(mailer.sent.empty());
}

TEST_F(EmailActionTest, NoRecipientsIsEM001) {
  RecordingMailer mailer;
  for (const char* to : {"<to></to>", "<to>  , </to>", ""}) {
    const ActionResult result = RunEmail(std::string(to) + "<subject>s</subject><body>b</body>", &mailer);
    EXPECT_EQ(result.outcome, Outcome::kError);
    EXPECT_EQ(result.error_code, "EM001");
    EXPECT_EQ(result.error_message, "No recipients were specified in the to-address field.");
  }
  EXPECT_TRUE(mailer.sent.empty());
}

TEST_F(EmailActionTest, BadAddressIsEM004) {
  RecordingMailer mailer;
  for (const char* body : {"<to>not-an-address</to>", "<to>a@example.com</to><cc>two@@example.com</cc>",
                           "<to>a@example.com</to><bcc>x@example.com&#13;&#10;RCPT TO:evil@example.com</bcc>",
                           "<to>a b@example.com</to>", "<to>a@-bad-.com</to>"}) {
    const ActionResult result = RunEmail(std::string(body) + "<subject>s</subject><body>b</body>", &mailer);
    EXPECT_EQ(result.error_code, "EM004") << body;
    EXPECT_EQ(result.error_message.rfind("Bad address format in <to> or <cc> or <bcc>.", 0), 0u);
  }
  EXPECT_TRUE(mailer.sent.empty());
}

TEST_F(EmailActionTest, UnreachableServerIsEM007WithoutThePassword) {
  auto mailer = MailerFor(::refinery::testing::FreeLoopbackPort(), /*auth=*/true);
  const ActionResult result = RunEmail("<to>a@example.com</to><subject>s</subject><body>b</body>", mailer.get());
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "EM007");
  EXPECT_EQ(result.error_message.rfind("Encountered an error while sending the email message over SMTP: ", 0), 0u)
      << result.error_message;
  EXPECT_NE(result.error_message.find("smtp://127.0.0.1:"), std::string::npos);
  EXPECT_EQ(result.error_message.find("s3cr3t-pa55"), std::string::npos);
  for (const std::string& line : reporter_.lines()) EXPECT_EQ(line.find("s3cr3t-pa55"), std::string::npos);
}

TEST_F(EmailActionTest, MailerErrorsKeepTheirCode) {
  RecordingMailer mailer;
  mailer.result = Status::IoError("Encountered an error while sending the email message over SMTP: x", "EM007");
  const ActionResult result = RunEmail("<to>a@example.com</to><subject>s</subject><body>b</body>", &mailer);
  EXPECT_EQ(result.error_code, "EM007");
  EXPECT_EQ(mailer.sent[0].content_type, "text/plain");
}

// ---- The message text itself ----

TEST(MimeMessage, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(internal::Base64(""), "");
  EXPECT_EQ(internal::Base64("f"), "Zg==");
  EXPECT_EQ(internal::Base64("fo"), "Zm8=");
  EXPECT_EQ(internal::Base64("foo"), "Zm9v");
  EXPECT_EQ(internal::Base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(internal::Base64(std::string(60, 'a'), 76).find("\r\n"), 76u);
}

TEST(MimeMessage, ParsesAddressesStrictly) {
  struct Case {
    std::string text;
    bool valid;
    std::string address;
  };
  const std::vector<Case> cases = {
      {"joe@example.com", true, "joe@example.com"},
      {"  joe.smith+tag@mail.example.co.uk ", true, "joe.smith+tag@mail.example.co.uk"},
      {"Joe <joe@example.com>", true, "joe@example.com"},
      {"\"Smith, Joe\" <joe@example.com>", true, "joe@example.com"},
      {"root@localhost", true, "root@localhost"},
      {"x@[127.0.0.1]", true, "x@[127.0.0.1]"},
      {"", false, ""},
      {"joe", false, ""},
      {"@example.com", false, ""},
      {"joe@", false, ""},
      {"jo..e@example.com", false, ""},
      {".joe@example.com", false, ""},
      {"joe@exa mple.com", false, ""},
      {"joe@example..com", false, ""},
      {"Joe <joe@example.com", false, ""},
      {"joe@example.com\r\nBcc: x@y.z", false, ""},
  };
  for (const Case& c : cases) {
    const auto parsed = internal::ParseMailAddress(c.text);
    EXPECT_EQ(parsed.has_value(), c.valid) << c.text;
    if (parsed && c.valid) {
      EXPECT_EQ(parsed->address, c.address) << c.text;
    }
  }
}

TEST(MimeMessage, EncodesNonAsciiHeadersInShortFoldedWords) {
  EXPECT_EQ(internal::EncodeHeaderText("plain subject"), "plain subject");
  EXPECT_EQ(internal::EncodeHeaderText("line\r\nBcc: evil@example.com"), "line  Bcc: evil@example.com");
  const std::string encoded = internal::EncodeHeaderText(std::string(30, 'x') + "✓" + std::string(40, 'y'));
  EXPECT_EQ(encoded.rfind("=?UTF-8?B?", 0), 0u);
  size_t start = 0;
  while (start < encoded.size()) {
    size_t end = encoded.find("\r\n ", start);
    if (end == std::string::npos) end = encoded.size();
    EXPECT_LE(end - start, 75u);
    start = end + 3;
  }
}

TEST(MimeMessage, ShortBodiesAndEmptyFieldsAreFine) {
  internal::MailAddress from{"Refinery", "refinery@localhost"};
  for (const std::string body : {"", "b", "\n", "\r", "ab"}) {
    EmailMessage message;
    message.to = {"a@example.com"};
    message.body = body;
    EXPECT_FALSE(internal::BuildMimeMessage(message, from, TimePoint{}, "u").empty());
    message.attachments.emplace_back("", "");
    EXPECT_FALSE(internal::BuildMimeMessage(message, from, TimePoint{}, "u").empty());
  }
}

TEST(MimeMessage, UsesCrlfOnlyAndNeverWritesBcc) {
  EmailMessage message;
  message.to = {"a@example.com"};
  message.bcc = {"hidden@example.com"};
  message.subject = "s";
  message.body = "one\ntwo\r\nthree\rfour";
  internal::MailAddress from{"", "refinery@localhost"};
  const std::string text = internal::BuildMimeMessage(message, from, TimePoint{}, "u1");
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      EXPECT_TRUE(i > 0 && text[i - 1] == '\r') << "bare LF at " << i;
    }
    if (text[i] == '\r') {
      EXPECT_TRUE(i + 1 < text.size() && text[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  EXPECT_EQ(text.find("hidden"), std::string::npos);
  EXPECT_NE(text.find("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\r\none\r\ntwo\r\nthree\r\nfour\r\n"), std::string::npos);
}

}  // namespace
}  // namespace refinery::actions
