#include "core/properties.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace refinery {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

Entries ParseOk(std::string_view text) {
  Result<Properties> parsed = ParseJavaProperties(text, "job.properties");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return {};
  return parsed->entries();
}

TEST(Properties, KeepsInsertionOrderAndReplacesInPlace) {
  Properties p;
  p.Set("b", "1");
  p.Set("a", "2");
  p.Set("b", "3");
  EXPECT_EQ(p.entries(), (Entries{{"b", "3"}, {"a", "2"}}));
  EXPECT_EQ(p.Get("b"), "3");
  EXPECT_FALSE(p.Get("c").has_value());
  EXPECT_EQ(p.GetOr("c", "x"), "x");
}

TEST(Properties, EraseKeepsIndexConsistent) {
  Properties p;
  p.Set("a", "1");
  p.Set("b", "2");
  p.Set("c", "3");
  p.Erase("a");
  p.Erase("missing");
  EXPECT_FALSE(p.Contains("a"));
  EXPECT_EQ(p.Get("c"), "3");
  p.Set("c", "4");
  EXPECT_EQ(p.entries(), (Entries{{"b", "2"}, {"c", "4"}}));
}

TEST(Properties, MergeFromOverwritesAndInjectDefaultsDoesNot) {
  // G-215: src {p1=S,p2=S} injected into {p2=T,p3=T} gives {p1=S,p2=T,p3=T}.
  Properties source, target;
  source.Set("p1", "S");
  source.Set("p2", "S");
  target.Set("p2", "T");
  target.Set("p3", "T");
  Properties merged = target;
  merged.MergeFrom(source);
  EXPECT_EQ(merged.Get("p2"), "S");
  target.InjectDefaults(source);
  EXPECT_EQ(target.Get("p1"), "S");
  EXPECT_EQ(target.Get("p2"), "T");
  EXPECT_EQ(target.Get("p3"), "T");
}

struct LoadCase {
  const char* name;
  const char* text;
  Entries expected;
};

class JavaPropertiesLoad : public ::testing::TestWithParam<LoadCase> {};

TEST_P(JavaPropertiesLoad, MatchesJavaUtilProperties) {
  EXPECT_EQ(ParseOk(GetParam().text), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Syntax, JavaPropertiesLoad,
    ::testing::Values(
        LoadCase{"Equals", "a=b\n", {{"a", "b"}}},
        LoadCase{"Colon", "a:b\n", {{"a", "b"}}},
        LoadCase{"Whitespace", "a b\n", {{"a", "b"}}},
        LoadCase{"TabSeparator", "a\tb\n", {{"a", "b"}}},
        LoadCase{"BlanksAroundSeparator", "  a  =  b  \n", {{"a", "b  "}}},
        LoadCase{"WhitespaceThenSeparator", "a  :  b\n", {{"a", "b"}}},
        LoadCase{"OnlyFirstSeparatorCounts", "a==b\n", {{"a", "=b"}}},
        LoadCase{"SeparatorAfterBlankThenSecond", "a = =b\n", {{"a", "=b"}}},
        LoadCase{"KeyOnly", "lonely\n", {{"lonely", ""}}},
        LoadCase{"KeyWithSeparatorOnly", "a=\n", {{"a", ""}}},
        LoadCase{"EmptyKey", "=value\n", {{"", "value"}}},
        LoadCase{"HashComment", "# comment\na=b\n", {{"a", "b"}}},
        LoadCase{"BangComment", "! comment\na=b\n", {{"a", "b"}}},
        LoadCase{"IndentedComment", "   # comment\na=b\n", {{"a", "b"}}},
        LoadCase{"HashInsideValueIsText", "a=b # not a comment\n", {{"a", "b # not a comment"}}},
        LoadCase{"CommentDoesNotContinue", "# comment \\\na=b\n", {{"a", "b"}}},
        LoadCase{"BlankLinesIgnored", "\n\n  \n\t\na=b\n\n", {{"a", "b"}}},
        LoadCase{"Continuation", "a=one \\\n    two\\\n  three\n", {{"a", "one twothree"}}},
        LoadCase{"ContinuationLineStartingWithHashIsNotComment", "a=x\\\n#y\n", {{"a", "x#y"}}},
        LoadCase{"ContinuationIntoEmptyLineEnds", "a=x\\\n\nb=y\n", {{"a", "x"}, {"b", "y"}}},
        LoadCase{"ContinuationInKey", "ke\\\n  y=v\n", {{"key", "v"}}},
        LoadCase{"EvenBackslashesDoNotContinue", "a=x\\\\\nb=y\n", {{"a", "x\\"}, {"b", "y"}}},
        LoadCase{"TrailingBackslashAtEndOfInput", "a=x\\", {{"a", "x"}}},
        LoadCase{"CrLfLineEnds", "a=1\r\nb=2\r\n", {{"a", "1"}, {"b", "2"}}},
        LoadCase{"CrLineEnds", "a=1\rb=2\r", {{"a", "1"}, {"b", "2"}}},
        LoadCase{"CrLfContinuation", "a=1\\\r\n  2\r\n", {{"a", "12"}}},
        LoadCase{"NoFinalNewline", "a=b", {{"a", "b"}}},
        LoadCase{"EscapedSeparatorsInKey", "a\\=b\\:c\\ d=v\n", {{"a=b:c d", "v"}}},
        LoadCase{"Escapes", "a=\\t\\n\\r\\f\\\\\\q\n", {{"a", "\t\n\r\f\\q"}}},
        LoadCase{"EscapedLeadingSpaceInValue", "a=\\  b\n", {{"a", "  b"}}},
        LoadCase{"UnicodeEscape", "a=\\u0041\\u00e9\\u20AC\n", {{"a", "A\xC3\xA9\xE2\x82\xAC"}}},
        LoadCase{"UnicodeSurrogatePair", "a=\\uD83D\\uDE00\n", {{"a", "\xF0\x9F\x98\x80"}}},
        LoadCase{"LoneSurrogateBecomesReplacement", "a=\\uD83Dx\n", {{"a", "\xEF\xBF\xBDx"}}},
        LoadCase{"Utf8PassesThrough", "clé=värde\n", {{"clé", "värde"}}},
        LoadCase{"FormFeedIsBlank", "\fa\f=\fb\n", {{"a", "b"}}},
        LoadCase{"LaterKeyWins", "a=1\nb=2\na=3\n", {{"a", "3"}, {"b", "2"}}},
        LoadCase{"OozieJobProperties",
                 "nameNode=hdfs://localhost:8020\n"
                 "oozie.wf.application.path=${nameNode}/user/${user.name}/apps/shell\n",
                 {{"nameNode", "hdfs://localhost:8020"},
                  {"oozie.wf.application.path", "${nameNode}/user/${user.name}/apps/shell"}}}),
    [](const ::testing::TestParamInfo<LoadCase>& info) { return std::string(info.param.name); });

TEST(JavaProperties, MalformedUnicodeEscapeNamesFileAndLine) {
  Result<Properties> parsed = ParseJavaProperties("a=1\n# c\n\nb=\\u12G4\n", "job.properties");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().ToString().find("job.properties:4: Malformed \\uxxxx encoding."), std::string::npos)
      << parsed.status().ToString();
}

TEST(JavaProperties, TruncatedUnicodeEscapeIsAnError) {
  EXPECT_FALSE(ParseJavaProperties("a=\\u12", "x").ok());
}

TEST(JavaProperties, ErrorLineCountsContinuations) {
  Result<Properties> parsed = ParseJavaProperties("a=1\\\n 2\nb=\\uZZZZ\n", "p");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("p:3:"), std::string::npos) << parsed.status().ToString();
}

TEST(JavaProperties, FormatEscapesLikeStore) {
  Properties p;
  p.Set("a key", " lead=x:y#!\\\t\n");
  EXPECT_EQ(FormatJavaProperties(p), "a\\ key=\\ lead\\=x\\:y\\#\\!\\\\\\t\\n\n");
}

TEST(JavaProperties, FormatThenParseRoundTrips) {
  Properties p;
  p.Set("simple", "value");
  p.Set("spaces in key", "  spaces in value  ");
  p.Set("#hash", "!bang");
  p.Set("", "empty key");
  p.Set("empty", "");
  p.Set("controls", std::string("\x01\t\r\n\f\x7f", 6));
  p.Set("unicode", "h\xC3\xA9llo \xF0\x9F\x98\x80");
  p.Set("back\\slash", "trailing\\");
  p.Set("seps=:", "a=b:c");
  Result<Properties> parsed = ParseJavaProperties(FormatJavaProperties(p), "round-trip");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, p);
  EXPECT_EQ(FormatJavaProperties(*parsed), FormatJavaProperties(p));
}

TEST(HadoopConfigurationXml, ParsesPropertiesAndTrimsNamesOnly) {
  const char* xml =
      "<?xml version=\"1.0\"?>\n"
      "<configuration>\n"
      "  <property><name> a </name><value> x </value><description>d</description></property>\n"
      "  <property><name>b</name><value>&lt;y&amp;&gt;</value><final>true</final></property>\n"
      "  <property><name>c</name><value><![CDATA[<raw>]]></value></property>\n"
      "  <property><name>noValue</name></property>\n"
      "  <property><name>empty</name><value/></property>\n"
      "  <!-- comment -->\n"
      "</configuration>\n";
  Result<Properties> parsed = ParseHadoopConfigurationXml(xml, "config-default.xml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->entries(), (Entries{{"a", " x "}, {"b", "<y&>"}, {"c", "<raw>"}, {"empty", ""}}));
}

TEST(HadoopConfigurationXml, NestedConfigurationIsRead) {
  Result<Properties> parsed = ParseHadoopConfigurationXml(
      "<configuration><configuration><property><name>a</name><value>1</value></property>"
      "</configuration></configuration>",
      "c.xml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->Get("a"), "1");
}

TEST(HadoopConfigurationXml, RejectsWrongRootWithLine) {
  Result<Properties> parsed = ParseHadoopConfigurationXml("<?xml version=\"1.0\"?>\n<conf/>\n", "c.xml");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("c.xml:2: bad conf file: top-level element not <configuration>"),
            std::string::npos)
      << parsed.status().ToString();
}

TEST(HadoopConfigurationXml, RejectsUnknownElementWithLine) {
  Result<Properties> parsed =
      ParseHadoopConfigurationXml("<configuration>\n\n  <prop><name>a</name></prop>\n</configuration>", "c.xml");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("c.xml:3: bad conf file: element not <property>"), std::string::npos)
      << parsed.status().ToString();
}

TEST(HadoopConfigurationXml, MalformedXmlNamesLine) {
  Result<Properties> parsed =
      ParseHadoopConfigurationXml("<configuration>\n<property>\n<name>a</nam>\n</configuration>", "c.xml");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("c.xml:3:"), std::string::npos) << parsed.status().ToString();
}

TEST(HadoopConfigurationXml, FormatThenParseRoundTrips) {
  Properties p;
  p.Set("plain", "value");
  p.Set("markup", "<a href=\"x\">&amp;</a>");
  p.Set("multi", "line one\nline two\r\nline three\ttab");
  p.Set("padded", "  spaces kept  ");
  p.Set("unicode", "h\xC3\xA9llo");
  const std::string xml = FormatHadoopConfigurationXml(p);
  Result<Properties> parsed = ParseHadoopConfigurationXml(xml, "round-trip.xml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, p);
  EXPECT_EQ(FormatHadoopConfigurationXml(*parsed), xml);
}

class ConfigurationFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("refinery_properties_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  std::filesystem::path dir_;
};

TEST_F(ConfigurationFile, LoadsPropertiesByExtension) {
  Result<Properties> loaded = LoadConfigurationFile(Write("job.properties", "a=1\n"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->Get("a"), "1");
}

TEST_F(ConfigurationFile, LoadsXmlByExtension) {
  Result<Properties> loaded =
      LoadConfigurationFile(Write("job.xml", "<configuration><property><name>a</name><value>2</value>"
                                             "</property></configuration>"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->Get("a"), "2");
}

TEST_F(ConfigurationFile, RejectsOtherExtensionsNamingBoth) {
  Result<Properties> loaded = LoadConfigurationFile(Write("job.txt", "a=1\n"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("configuration must be a '.properties' or a '.xml' file"),
            std::string::npos);
}

TEST_F(ConfigurationFile, MissingFileIsNotFound) {
  Result<Properties> loaded = LoadConfigurationFile((dir_ / "absent.properties").string());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kNotFound);
  EXPECT_NE(loaded.status().message().find("not found"), std::string::npos);
}

TEST_F(ConfigurationFile, ParseErrorNamesThePath) {
  const std::string path = Write("bad.properties", "\n\nx=\\uXYZW\n");
  Result<Properties> loaded = LoadConfigurationFile(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find(path + ":3:"), std::string::npos) << loaded.status().ToString();
}

}  // namespace
}  // namespace refinery
