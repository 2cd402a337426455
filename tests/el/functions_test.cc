// The basic, wf:* and fs:* function groups and the workflow constants,
// against fakes of the state they read.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "el/functions.h"
#include "el/internal/java_text.h"
#include "el_test_util.h"

namespace refinery::el {
namespace {

using ::testing::HasSubstr;
using testing::ElHarness;

// The fixture of Oozie's TestDagELFunctions#testFunctions.
class FakeWorkflowInfo : public WorkflowInfo {
 public:
  std::string Id() const override { return "wfId"; }
  std::string Name() const override { return "name"; }
  std::string AppPath() const override { return "appPath"; }
  std::optional<std::string> Conf(const std::string& name) const override {
    if (name == "a") return "A";
    if (name == "user.name") return "user";
    return std::nullopt;
  }
  std::string User() const override { return "user"; }
  std::string Group() const override { return "group"; }
  std::string CallbackUrl(const std::string& state_var) const override {
    return "http://oozie:11000/oozie/callback?id=wfId@actionName&status=" + state_var;
  }
  std::string Transition(const std::string& node) const override { return node == "actionName" ? "end" : ""; }
  std::string LastErrorNode() const override { return "actionName"; }
  std::string ErrorCode(const std::string& node) const override { return node == "actionName" ? "ec" : ""; }
  std::string ErrorMessage(const std::string& node) const override { return node == "actionName" ? "em" : ""; }
  int Run() const override { return 2; }
  std::string ActionData(const std::string& node) const override {
    if (node == "actionName") return "b=B\n";
    if (node == "multi") return "# comment\npath=/a/b\nsize : 42\nurl=http\\://x/?q=1&r=2\n";
    if (node == "broken") return "bad=\\u12\n";
    return "";
  }
  std::string ActionExternalId(const std::string& node) const override { return node == "actionName" ? "ext" : ""; }
  std::string ActionTrackerUri(const std::string& node) const override {
    return node == "actionName" ? "tracker" : "";
  }
  std::string ActionExternalStatus(const std::string& node) const override {
    return node == "actionName" ? "externalStatus" : "";
  }
};

class FakeFileInfo : public FileInfo {
 public:
  Result<bool> Exists(const std::string& uri) const override {
    if (uri == "hdfs://nn/broken") return Status::IoError("connection refused");
    return uri == "hdfs://nn/dir" || uri == "hdfs://nn/dir/file";
  }
  Result<bool> IsDir(const std::string& uri) const override { return uri == "hdfs://nn/dir"; }
  Result<int64_t> DirSize(const std::string& uri) const override { return uri == "hdfs://nn/dir" ? 2048 : -1; }
  Result<int64_t> FileSize(const std::string& uri) const override {
    return uri == "hdfs://nn/dir/file" ? 100 : -1;
  }
  Result<int64_t> BlockSize(const std::string& uri) const override {
    if (uri == "hdfs://nn/broken") return Status::NotFound("no such file");
    return int64_t{134217728};
  }
};

class ElFunctions : public ::testing::Test {
 protected:
  ElFunctions() {
    RegisterWorkflowFunctions(el_.functions(), &workflow_);
    RegisterFsFunctions(el_.functions(), &files_);
    el_.Set("a", Value::String("A"));
  }

  FakeWorkflowInfo workflow_;
  FakeFileInfo files_;
  ElHarness el_;
};

TEST_F(ElFunctions, FirstNotNullSkipsANullFirstArgument) {
  EXPECT_EQ(el_.Text("${firstNotNull('a', 'b')}"), "a");
  EXPECT_EQ(el_.Text("${firstNotNull(null, 'b')}"), "b");
  EXPECT_EQ(el_.Text("${firstNotNull(null, null)}"), "");
  EXPECT_EQ(el_.Text("${firstNotNull(wf:conf('missing'), 'fallback')}"), "fallback");
  EXPECT_EQ(el_.Text("${firstNotNull('', 'b')}"), "");
}

TEST_F(ElFunctions, ConcatTreatsNullAsEmptyAndCoercesToText) {
  EXPECT_EQ(el_.Text("${concat('a', 'b')}"), "ab");
  EXPECT_EQ(el_.Text("${concat(null, 'b')}"), "b");
  EXPECT_EQ(el_.Text("${concat('a', null)}"), "a");
  EXPECT_EQ(el_.Text("${concat(1, 2.5)}"), "12.5");
  EXPECT_EQ(el_.Text("${concat(true, '')}"), "true");
}

TEST_F(ElFunctions, ReplaceAllFollowsJavaStringReplaceAll) {
  EXPECT_EQ(el_.Text("${replaceAll('abcbcd', 'bc', 'ef')}"), "aefefd");
  EXPECT_EQ(el_.Text("${replaceAll('d1,d2,d3', ',', ' ')}"), "d1 d2 d3");
  EXPECT_EQ(el_.Text("${replaceAll('abc', '', '-')}"), "-a-b-c-");
  EXPECT_EQ(el_.Text("${replaceAll('2021-01-14', '(\\\\d+)-(\\\\d+)-(\\\\d+)', '$3/$2/$1')}"), "14/01/2021");
  EXPECT_EQ(el_.Text("${replaceAll('a.b.c', '\\\\.', '/')}"), "a/b/c");
  EXPECT_EQ(el_.Text("${replaceAll('cost', 'cost', '\\\\$5')}"), "$5");
  EXPECT_EQ(el_.Text("${replaceAll('ABC', '(?i)b', 'x')}"), "AxC");
  EXPECT_EQ(el_.Text("${replaceAll('no match', 'zzz', '$9')}"), "no match");
}

TEST_F(ElFunctions, ReplaceAllNullRules) {
  EXPECT_EQ(el_.Text("${replaceAll(null, 'bcb', 'yyy')}"), "");
  EXPECT_EQ(el_.Text("${empty replaceAll(null, 'bcb', 'yyy')}"), "true");
  EXPECT_EQ(el_.Text("${replaceAll('abcbcd', null, 'XYZ')}"), "abcbcd");
  EXPECT_EQ(el_.Text("${replaceAll('abcbcd', 'bc', null)}"), "ad");
}

TEST_F(ElFunctions, ReplaceAllGroupReferencesFollowJavaRules) {
  // "$10" is group 1 then "0" when there is no group 10.
  EXPECT_EQ(el_.Text("${replaceAll('ab', '(a)', '$10')}"), "a0b");
  EXPECT_THAT(el_.Error("${replaceAll('ab', 'a', '$1')}"), HasSubstr("refers to group 1 but the pattern has 0"));
  EXPECT_THAT(el_.Error("${replaceAll('ab', 'a', '$x')}"), HasSubstr("illegal group reference"));
  EXPECT_THAT(el_.Error("${replaceAll('ab', 'a', 'x\\\\')}"), HasSubstr("ends with a lone '\\'"));
}

TEST_F(ElFunctions, ReplaceAllBadRegexIsAnElError) {
  const std::string error = el_.Error("${replaceAll('ab', '(', 'x')}");
  EXPECT_THAT(error, HasSubstr("EL_ERROR: invalid regular expression [(]"));
}

TEST_F(ElFunctions, ReplaceAllRefusesPathologicalPatterns) {
  EXPECT_THAT(el_.Error("${replaceAll('aaa', '(a?){50000}', 'x')}"), HasSubstr("too complex"));
  EXPECT_THAT(el_.Error("${replaceAll('aaa', '((a{100}){100}){100}', 'x')}"), HasSubstr("too complex"));
  EXPECT_THAT(el_.Error("${replaceAll('aaa', '" + std::string(12, '(') + "a" + std::string(12, ')') + "', 'x')}"),
              HasSubstr("nests groups too deeply"));
}

TEST_F(ElFunctions, ReplaceAllHandlesLongSubjectsWithoutDeepRecursion) {
  el_.Set("long", Value::String(std::string(200000, 'a') + "b"));
  const Result<std::string> r = el_.Eval("${replaceAll(long, 'a*b', 'x')}");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "x");
}

TEST_F(ElFunctions, ReplaceAllCapsTheResultSize) {
  el_.Set("big", Value::String(std::string(5000, 'a')));
  EXPECT_THAT(el_.Error("${replaceAll(big, '', big)}"), HasSubstr("result exceeds 16 MiB"));
}

TEST_F(ElFunctions, AppendAllAppendsToEveryPiece) {
  EXPECT_EQ(el_.Text("${appendAll('/a/b/,/c/b/,/c/d/', 'ADD', ',')}"), "/a/b/ADD,/c/b/ADD,/c/d/ADD");
  EXPECT_EQ(el_.Text("${appendAll(' /a/b/  ,/c/b/ , /c/d/ ', 'ADD', ',')}"), " /a/b/  ADD,/c/b/ ADD, /c/d/ ADD");
  EXPECT_EQ(el_.Text("${appendAll('ab', 'ADD', '')}"), "ADDaADDbADD");
  EXPECT_EQ(el_.Text("${appendAll('single', '-x', ',')}"), "single-x");
  EXPECT_EQ(el_.Text("${appendAll('a,b,,', '!', ',')}"), "a!,b!");
}

TEST_F(ElFunctions, AppendAllNullRules) {
  EXPECT_EQ(el_.Text("${empty appendAll(null, 'ADD', ',')}"), "true");
  EXPECT_EQ(el_.Text("${appendAll('/a/b/,/c/b/,/c/d/', null, ',')}"), "/a/b/,/c/b/,/c/d/");
  EXPECT_EQ(el_.Text("${appendAll('/a/b/,/c/b/,/c/d/', 'ADD', null)}"), "/a/b/,/c/b/,/c/d/");
}

TEST_F(ElFunctions, TrimStripsJavaWhitespace) {
  EXPECT_EQ(el_.Text("${trim(' a ')}"), "a");
  EXPECT_EQ(el_.Text("${trim(null)}"), "");
  EXPECT_EQ(el_.Text("${trim('\t a b \n')}"), "a b");
}

TEST_F(ElFunctions, UrlEncodeFollowsJavaUrlEncoder) {
  EXPECT_EQ(el_.Text("${urlEncode(' ')}"), "+");
  EXPECT_EQ(el_.Text("${urlEncode('%')}"), "%25");
  EXPECT_EQ(el_.Text("${urlEncode(null)}"), "");
  EXPECT_EQ(el_.Text("${urlEncode('a.b-c*d_e~f/g?h=i&j')}"), "a.b-c*d_e%7Ef%2Fg%3Fh%3Di%26j");
  EXPECT_EQ(el_.Text("${urlEncode('é')}"), "%C3%A9");
}

TEST_F(ElFunctions, TimestampIsTheInjectedClockInUtc) {
  EXPECT_EQ(el_.Text("${timestamp()}"), "2021-01-14T07:08Z");
  el_.clock()->Advance(std::chrono::minutes(61));
  EXPECT_EQ(el_.Text("${timestamp()}"), "2021-01-14T08:09Z");
}

TEST_F(ElFunctions, ToJsonStrIsXmlEscapedJsonSimple) {
  EXPECT_EQ(el_.Text("${toJsonStr(wf:actionData('actionName'))}"), "{&quot;b&quot;:&quot;B&quot;}");
  EXPECT_EQ(internal::ToJsonText(Value::Map({{"p", Value::String("/a\"b\n")}, {"n", Value::Int(3)}})),
            "{\"n\":3,\"p\":\"\\/a\\\"b\\n\"}");
  EXPECT_THAT(el_.Error("${toJsonStr('x')}"), HasSubstr("function [toJsonStr] expects a map but was given \"x\""));
}

TEST_F(ElFunctions, ToPropertiesStrRoundTripsThroughTheParser) {
  const Result<std::string> text = el_.Eval("${toPropertiesStr(wf:actionData('multi'))}");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_THAT(*text, HasSubstr("path=/a/b"));
  EXPECT_THAT(*text, HasSubstr("&amp;"));  // XML-escaped
  // Undo the XML escaping, then the properties must parse back to the map.
  std::string unescaped = *internal::JavaReplaceAll(*text, "&amp;", "&");
  const Result<Properties> parsed = ParseJavaProperties(unescaped, "test");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->Get("path"), "/a/b");
  EXPECT_EQ(parsed->Get("size"), "42");
  EXPECT_EQ(parsed->Get("url"), "http://x/?q=1&r=2");
}

TEST_F(ElFunctions, ToConfigurationStrIsEscapedHadoopXml) {
  const Result<std::string> text = el_.Eval("${toConfigurationStr(wf:actionData('actionName'))}");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_THAT(*text, HasSubstr("&lt;configuration&gt;"));
  EXPECT_THAT(*text, HasSubstr("&lt;name&gt;b&lt;/name&gt;"));
  EXPECT_THAT(*text, HasSubstr("&lt;value&gt;B&lt;/value&gt;"));
}

TEST_F(ElFunctions, WorkflowConstantsArePowersOf1024AndCounterNames) {
  EXPECT_EQ(el_.Text("${KB}"), "1024");
  EXPECT_EQ(el_.Text("${MB}"), "1048576");
  EXPECT_EQ(el_.Text("${GB}"), "1073741824");
  EXPECT_EQ(el_.Text("${TB}"), "1099511627776");
  EXPECT_EQ(el_.Text("${PB}"), "1125899906842624");
  EXPECT_EQ(el_.Text("${RECORDS}"), "org.apache.hadoop.mapred.Task$Counter");
  EXPECT_EQ(el_.Text("${MAP_IN} ${MAP_OUT} ${REDUCE_IN} ${REDUCE_OUT} ${GROUPS}"),
            "MAP_INPUT_RECORDS MAP_OUTPUT_RECORDS REDUCE_INPUT_RECORDS REDUCE_OUTPUT_RECORDS REDUCE_INPUT_GROUPS");
  EXPECT_FALSE(WorkflowConstant("DAYS").has_value());
  EXPECT_TRUE(WorkflowConstant("KB")->is_int());
}

TEST_F(ElFunctions, WorkflowJobFunctionsReadWorkflowInfo) {
  EXPECT_EQ(el_.Text("${wf:id()}"), "wfId");
  EXPECT_EQ(el_.Text("${wf:name()}"), "name");
  EXPECT_EQ(el_.Text("${wf:appPath()}"), "appPath");
  EXPECT_EQ(el_.Text("${wf:conf('a')}"), "A");
  EXPECT_EQ(el_.Text("${a}"), "A");
  EXPECT_EQ(el_.Text("${wf:user()}"), "user");
  EXPECT_EQ(el_.Text("${wf:group()}"), "group");
  EXPECT_EQ(el_.Text("${wf:lastErrorNode()}"), "actionName");
  EXPECT_EQ(el_.Text("${wf:callback('DONE')}"), "http://oozie:11000/oozie/callback?id=wfId@actionName&status=DONE");
}

TEST_F(ElFunctions, WfConfOfAMissingPropertyIsNull) {
  EXPECT_EQ(el_.Text("${wf:conf('missing')}"), "");
  EXPECT_EQ(el_.Text("${wf:conf('missing') == null}"), "true");
  EXPECT_EQ(el_.Text("${empty wf:conf('missing')}"), "true");
}

TEST_F(ElFunctions, WfRunIsAnInteger) {
  const Result<Value> run = el_.EvalValue("${wf:run()}");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(*run, Value::Int(2));
  EXPECT_EQ(el_.Text("${wf:run() + 1}"), "3");
}

TEST_F(ElFunctions, WfNodeFunctionsReadTheNamedAction) {
  EXPECT_EQ(el_.Text("${wf:transition('actionName')}"), "end");
  EXPECT_EQ(el_.Text("${wf:errorCode('actionName')}"), "ec");
  EXPECT_EQ(el_.Text("${wf:errorMessage('actionName')}"), "em");
  EXPECT_EQ(el_.Text("${wf:actionExternalId('actionName')}"), "ext");
  EXPECT_EQ(el_.Text("${wf:actionTrackerUri('actionName')}"), "tracker");
  EXPECT_EQ(el_.Text("${wf:actionExternalStatus('actionName')}"), "externalStatus");
  EXPECT_EQ(el_.Text("${wf:errorCode('other')}"), "");
}

TEST_F(ElFunctions, WfActionDataIsAMapOfTheCapturedProperties) {
  EXPECT_EQ(el_.Text("${wf:actionData('actionName')['b']}"), "B");
  EXPECT_EQ(el_.Text("${wf:actionData('actionName').b}"), "B");
  EXPECT_EQ(el_.Text("${wf:actionData('multi')['size'] + 1}"), "43");
  EXPECT_EQ(el_.Text("${wf:actionData('multi')['url']}"), "http://x/?q=1&r=2");
  EXPECT_EQ(el_.Text("${wf:actionData('actionName')}"), "{b=B}");
  const Result<Value> none = el_.EvalValue("${wf:actionData('nothing')}");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, Value::Map({}));
  EXPECT_EQ(el_.Text("${empty wf:actionData('nothing')}"), "true");
}

TEST_F(ElFunctions, WfActionDataThatDoesNotParseIsAnElError) {
  EXPECT_THAT(el_.Error("${wf:actionData('broken')}"), HasSubstr("EL_ERROR: wf:actionData [broken]"));
}

TEST_F(ElFunctions, FsFunctionsReadFileInfo) {
  EXPECT_EQ(el_.Text("${fs:exists('hdfs://nn/dir')}"), "true");
  EXPECT_EQ(el_.Text("${fs:exists('hdfs://nn/none')}"), "false");
  EXPECT_EQ(el_.Text("${fs:exists('hdfs://nn/dir') == 'true'}"), "true");
  EXPECT_EQ(el_.Text("${fs:isDir('hdfs://nn/dir')}"), "true");
  EXPECT_EQ(el_.Text("${fs:isDir('hdfs://nn/dir/file')}"), "false");
  EXPECT_EQ(el_.Text("${fs:dirSize('hdfs://nn/dir')}"), "2048");
  EXPECT_EQ(el_.Text("${fs:dirSize('hdfs://nn/dir/file')}"), "-1");
  EXPECT_EQ(el_.Text("${fs:fileSize('hdfs://nn/dir/file')}"), "100");
  EXPECT_EQ(el_.Text("${fs:fileSize('hdfs://nn/dir') lt 0}"), "true");
  EXPECT_EQ(el_.Text("${fs:blockSize('hdfs://nn/dir/file') / MB}"), "128.0");
  EXPECT_EQ(el_.Text("${fs:fileSize('hdfs://nn/dir/file') gt 10 * KB ? 'big' : 'small'}"), "small");
}

TEST_F(ElFunctions, FsErrorsNameTheFunctionAndPath) {
  EXPECT_EQ(el_.Error("${fs:exists('hdfs://nn/broken')}"),
            "EL_ERROR: fs:exists [hdfs://nn/broken]: IOError: connection refused");
  EXPECT_THAT(el_.Error("${fs:blockSize('hdfs://nn/broken')}"),
              HasSubstr("fs:blockSize [hdfs://nn/broken]: NotFound: no such file"));
}

TEST(ElJavaText, SplitFollowsJava7StringSplit) {
  using internal::JavaSplit;
  EXPECT_EQ(*JavaSplit("a,b,c", ","), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(*JavaSplit("ab", ""), (std::vector<std::string>{"", "a", "b"}));
  EXPECT_EQ(*JavaSplit("a,,b,,", ","), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(*JavaSplit(",a", ","), (std::vector<std::string>{"", "a"}));
  EXPECT_EQ(*JavaSplit("", ","), (std::vector<std::string>{""}));
  EXPECT_EQ(*JavaSplit("abc", "x"), (std::vector<std::string>{"abc"}));
  EXPECT_TRUE(JavaSplit(",,,", ",")->empty());
}

TEST(ElJavaText, EscapeXmlEscapesTheFiveEntities) {
  EXPECT_EQ(internal::EscapeXml("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
}

TEST(ElJavaText, JsonEscapesControlAndSpecialRangesLikeJsonSimple) {
  EXPECT_EQ(internal::ToJsonText(Value::String(std::string("\x01\x7f", 2))), "\"\\u0001\\u007F\"");
  EXPECT_EQ(internal::ToJsonText(Value::String("\xE2\x80\xA8")), "\"\\u2028\"");
  EXPECT_EQ(internal::ToJsonText(Value::String("é")), "\"é\"");
  EXPECT_EQ(internal::ToJsonText(Value::Double(1.0 / 0.0)), "null");
}

}  // namespace
}  // namespace refinery::el
