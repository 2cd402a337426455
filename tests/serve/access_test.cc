#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "serve/access.h"
#include "serve/redact.h"

namespace refinery::serve {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class TokenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() / ("refinery-token-test-" + std::to_string(random()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(TokenFileTest, FirstStartCreatesAnOwnerOnlyTokenLaterStartsReadIt) {
  bool created = false;
  auto first = LoadOrCreateToken(dir_ / "server.token", &created);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(created);
  EXPECT_EQ(first->size(), 64u);
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / "server.token").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto second = LoadOrCreateToken(dir_ / "server.token", &created);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(*second, *first);
}

TEST_F(TokenFileTest, ATokenFileOthersCanReadIsRefusedWithTheFix) {
  std::ofstream(dir_ / "server.token") << "0123456789abcdef0123\n";
  std::filesystem::permissions(dir_ / "server.token", std::filesystem::perms(0644));
  bool created = false;
  auto token = LoadOrCreateToken(dir_ / "server.token", &created);
  ASSERT_FALSE(token.ok());
  EXPECT_THAT(token.status().message(), HasSubstr("chmod 600"));
}

HttpRequest Request(const std::string& method, const std::string& authorization) {
  HttpRequest request;
  request.method = method;
  if (!authorization.empty()) request.headers["authorization"] = authorization;
  return request;
}

TEST(AccessTest, WritesNeedTheTokenReadsOnlyWhenConfigured) {
  AccessPolicy policy;
  policy.token = "0123456789abcdef";
  EXPECT_FALSE(CheckAccess(policy, Request("GET", "")).has_value());
  EXPECT_EQ(CheckAccess(policy, Request("POST", ""))->status, 401);
  EXPECT_EQ(CheckAccess(policy, Request("PUT", "Bearer 0123456789abcdeX"))->status, 401);
  EXPECT_EQ(CheckAccess(policy, Request("PUT", "Basic 0123456789abcdef"))->status, 401);
  EXPECT_FALSE(CheckAccess(policy, Request("PUT", "Bearer 0123456789abcdef")).has_value());
  policy.reads_need_token = true;
  EXPECT_EQ(CheckAccess(policy, Request("GET", ""))->status, 401);
  EXPECT_FALSE(CheckAccess(policy, Request("GET", "Bearer 0123456789abcdef")).has_value());
}

TEST(RedactTest, HidesSecretValuesButKeepsTheirNames) {
  EXPECT_TRUE(IsSecretKey("oozie.email.smtp.password"));
  EXPECT_TRUE(IsSecretKey("aws.SECRET.key"));
  EXPECT_FALSE(IsSecretKey("queueName"));
  const std::string conf =
      "<configuration><property><name>db.password</name><value>hunter2</value></property>"
      "<property><name>queueName</name><value>daily</value></property></configuration>";
  const std::string redacted = RedactConfigurationXml(conf);
  EXPECT_THAT(redacted, Not(HasSubstr("hunter2")));
  EXPECT_THAT(redacted, HasSubstr("db.password"));
  EXPECT_THAT(redacted, HasSubstr("daily"));
  const std::string definition =
      "<sqoop><command>import --connect jdbc:x --password hunter2 --table t</command>"
      "<arg>--password</arg> <arg>hunter2</arg><password>hunter2</password></sqoop>";
  const std::string clean = RedactDefinitionXml(definition);
  EXPECT_THAT(clean, Not(HasSubstr("hunter2")));
  EXPECT_THAT(clean, HasSubstr("--table t"));
}

}  // namespace
}  // namespace refinery::serve
