// Connection URLs as Sqoop users write them.
#include <gtest/gtest.h>

#include "data/sql_source.h"

namespace refinery::data {
namespace {

TEST(JdbcUrl, ParsesEverySupportedForm) {
  auto sqlite = ParseJdbcUrl("jdbc:sqlite:/data/shop.db");
  ASSERT_TRUE(sqlite.ok());
  EXPECT_EQ(sqlite->dialect, Dialect::kSqlite);
  EXPECT_EQ(sqlite->database, "/data/shop.db");

  auto pg = ParseJdbcUrl("jdbc:postgresql://db.example:6543/sales?sslmode=require&ApplicationName=x");
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ(pg->dialect, Dialect::kPostgres);
  EXPECT_EQ(pg->host, "db.example");
  EXPECT_EQ(pg->port, 6543);
  EXPECT_EQ(pg->database, "sales");
  EXPECT_EQ(pg->parameters.at("sslmode"), "require");

  auto mysql = ParseJdbcUrl("jdbc:mysql://127.0.0.1/funnel_db?useSSL=false");
  ASSERT_TRUE(mysql.ok());
  EXPECT_EQ(mysql->dialect, Dialect::kMysql);
  EXPECT_EQ(mysql->port, 0);
  EXPECT_EQ(mysql->database, "funnel_db");
  EXPECT_EQ(mysql->parameters.at("useSSL"), "false");

  auto maria = ParseJdbcUrl("jdbc:mariadb://h:3307/d");
  ASSERT_TRUE(maria.ok());
  EXPECT_EQ(maria->dialect, Dialect::kMysql);
  EXPECT_EQ(maria->port, 3307);
}

TEST(JdbcUrl, RejectsOtherDatabasesNamingTheSupportedForms) {
  for (const std::string url : {"jdbc:oracle:thin:@h:1521:x", "jdbc:hsqldb:file:db.hsqldb", "mysql://h/d",
                                "jdbc:mysql://h:99999/d", "jdbc:mysql://h:abc/d", "jdbc:sqlite:"}) {
    auto parsed = ParseJdbcUrl(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.status().error_code(), "SQOOP003") << url;
    EXPECT_NE(parsed.status().message().find("jdbc:sqlite:PATH"), std::string::npos);
  }
}

TEST(JdbcUrl, RedactsSecrets) {
  EXPECT_EQ(RedactSecret("password authentication failed for hunter2 (hunter2)", "hunter2"),
            "password authentication failed for ******** (********)");
  EXPECT_EQ(RedactSecret("nothing", ""), "nothing");
}

}  // namespace
}  // namespace refinery::data
