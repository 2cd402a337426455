#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "workflow/workflow_app.h"

namespace refinery::workflow {
namespace {

Result<WorkflowApp> Parse(const std::string& xml, const Properties* conf = nullptr) {
  ParseOptions options;
  options.job_conf = conf;
  return ParseWorkflowXml(xml, options);
}

WorkflowApp ParseOk(const std::string& xml, const Properties* conf = nullptr) {
  Result<WorkflowApp> app = Parse(xml, conf);
  EXPECT_TRUE(app.ok()) << app.status().ToString();
  return app.ok() ? std::move(app).value() : WorkflowApp{};
}

std::string Minimal(const std::string& xmlns) {
  return "<workflow-app xmlns=\"" + xmlns +
         "\" name=\"wf\">\n"
         "  <start to=\"a\"/>\n"
         "  <action name=\"a\">\n"
         "    <fs/>\n"
         "    <ok to=\"end\"/>\n"
         "    <error to=\"k\"/>\n"
         "  </action>\n"
         "  <kill name=\"k\"><message>failed</message></kill>\n"
         "  <end name=\"end\"/>\n"
         "</workflow-app>\n";
}

class EveryWorkflowNamespace : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryWorkflowNamespace, ParsesAMinimalWorkflow) {
  const WorkflowApp app = ParseOk(Minimal(GetParam()));
  EXPECT_EQ(app.xmlns, GetParam());
  ASSERT_EQ(app.nodes.size(), 4u);
  EXPECT_EQ(app.start().name, ":start:");
  EXPECT_EQ(app.start().to, "a");
}

INSTANTIATE_TEST_SUITE_P(WorkflowParser, EveryWorkflowNamespace,
                         ::testing::Values("uri:oozie:workflow:0.1", "uri:oozie:workflow:0.2",
                                           "uri:oozie:workflow:0.2.5", "uri:oozie:workflow:0.3",
                                           "uri:oozie:workflow:0.4", "uri:oozie:workflow:0.4.5",
                                           "uri:oozie:workflow:0.5", "uri:oozie:workflow:1.0"));

TEST(WorkflowParser, RejectsUnknownNamespaceListingTheAcceptedOnes) {
  Result<WorkflowApp> app = Parse(Minimal("uri:oozie:workflow:9.9"));
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().error_code(), "E0701");
  EXPECT_NE(app.status().message().find("uri:oozie:workflow:0.2.5"), std::string::npos);
  EXPECT_NE(app.status().message().find("uri:oozie:workflow:1.0"), std::string::npos);
}

TEST(WorkflowParser, RecordsEachNodesLine) {
  const WorkflowApp app = ParseOk(Minimal("uri:oozie:workflow:0.5"));
  EXPECT_EQ(app.FindNode(":start:")->line, 2);
  EXPECT_EQ(app.FindNode("a")->line, 3);
  EXPECT_EQ(app.FindNode("k")->line, 8);
  EXPECT_EQ(app.FindNode("end")->line, 9);
  EXPECT_EQ(app.FindNode("missing"), nullptr);
}

TEST(WorkflowParser, KeepsNodesInDocumentOrderWithStartFirst) {
  const WorkflowApp app = ParseOk(Minimal("uri:oozie:workflow:0.5"));
  std::vector<std::string> names;
  for (const Node& node : app.nodes) names.push_back(node.name);
  EXPECT_EQ(names, (std::vector<std::string>{":start:", "a", "k", "end"}));
  EXPECT_EQ(app.nodes[1].kind, NodeKind::kAction);
  EXPECT_EQ(app.nodes[2].kind, NodeKind::kKill);
  EXPECT_EQ(app.nodes[2].kill_message, "failed");
  EXPECT_EQ(app.nodes[3].kind, NodeKind::kEnd);
}

TEST(WorkflowParser, NamesNodeKindsAsOozieDoes) {
  EXPECT_STREQ(NodeKindName(NodeKind::kStart), ":START:");
  EXPECT_STREQ(NodeKindName(NodeKind::kEnd), ":END:");
  EXPECT_STREQ(NodeKindName(NodeKind::kKill), ":KILL:");
  EXPECT_STREQ(NodeKindName(NodeKind::kDecision), "switch");
  EXPECT_STREQ(NodeKindName(NodeKind::kFork), ":FORK:");
  EXPECT_STREQ(NodeKindName(NodeKind::kJoin), ":JOIN:");
  EXPECT_STREQ(NodeKindName(NodeKind::kAction), "action");
}

const char* kShellWorkflow = R"(<workflow-app xmlns="uri:oozie:workflow:1.0" xmlns:sla="uri:oozie:sla:0.2" name="${appName}-wf">
    <start to="shell-node"/>
    <action name="shell-node" cred="hcat,hive">
        <shell xmlns="uri:oozie:shell-action:1.0">
            <resource-manager>${resourceManager}</resource-manager>
            <name-node>${nameNode}</name-node>
            <exec>echo</exec>
            <argument>my_output=Hello &amp; bye</argument>
            <capture-output/>
        </shell>
        <ok to="check-output"/>
        <error to="fail"/>
        <sla:info>
            <sla:nominal-time>${nominalTime}</sla:nominal-time>
            <sla:should-end>${10 * MINUTES}</sla:should-end>
        </sla:info>
    </action>
    <decision name="check-output">
        <switch>
            <case to="end">
                ${wf:actionData('shell-node')['my_output'] eq 'Hello Oozie'}
            </case>
            <default to="fail"/>
        </switch>
    </decision>
    <kill name="fail">
        <message>Shell action failed, error message[${wf:errorMessage(wf:lastErrorNode())}]</message>
    </kill>
    <end name="end"/>
</workflow-app>
)";

TEST(WorkflowParser, ExtensionActionXmlCarriesItsOwnNamespace) {
  const WorkflowApp app = ParseOk(kShellWorkflow);
  const Node* node = app.FindNode("shell-node");
  ASSERT_NE(node, nullptr);
  ASSERT_TRUE(node->action.has_value());
  EXPECT_EQ(node->action->type, "shell");
  EXPECT_EQ(node->action->xmlns, "uri:oozie:shell-action:1.0");
  EXPECT_EQ(node->action->ok_to, "check-output");
  EXPECT_EQ(node->action->error_to, "fail");
  EXPECT_EQ(node->action->cred, "hcat,hive");
  const std::string& xml = node->action->xml;
  EXPECT_EQ(xml.rfind("<shell xmlns=\"uri:oozie:shell-action:1.0\">", 0), 0u) << xml;
  EXPECT_NE(xml.find("<exec>echo</exec>"), std::string::npos) << xml;
  // EL is kept as written; entities stay escaped so the text re-parses.
  EXPECT_NE(xml.find("${resourceManager}"), std::string::npos) << xml;
  EXPECT_NE(xml.find("Hello &amp; bye"), std::string::npos) << xml;
  EXPECT_EQ(xml.back(), '>');
}

TEST(WorkflowParser, WorkflowNamespaceActionXmlDeclaresTheWorkflowNamespace) {
  const WorkflowApp app = ParseOk(Minimal("uri:oozie:workflow:0.5"));
  const ActionSpec& action = *app.FindNode("a")->action;
  EXPECT_EQ(action.type, "fs");
  EXPECT_EQ(action.xmlns, "");
  EXPECT_EQ(action.xml, "<fs xmlns=\"uri:oozie:workflow:0.5\"/>");
}

TEST(WorkflowParser, PrefixedExtensionElementGetsItsPrefixDeclared) {
  const std::string xml = R"(<workflow-app xmlns="uri:oozie:workflow:0.5" xmlns:r="uri:refinery:train:1.0" name="wf">
  <start to="a"/>
  <action name="a">
    <r:train><r:model>m</r:model></r:train>
    <ok to="end"/>
    <error to="end"/>
  </action>
  <end name="end"/>
</workflow-app>)";
  const WorkflowApp app = ParseOk(xml);
  const ActionSpec& action = *app.FindNode("a")->action;
  EXPECT_EQ(action.type, "train");
  EXPECT_EQ(action.xmlns, "uri:refinery:train:1.0");
  EXPECT_EQ(action.xml, "<r:train xmlns:r=\"uri:refinery:train:1.0\"><r:model>m</r:model></r:train>");
}

TEST(WorkflowParser, KeepsDecisionPredicatesAndKillMessagesRaw) {
  const WorkflowApp app = ParseOk(kShellWorkflow);
  const Node* decision = app.FindNode("check-output");
  ASSERT_NE(decision, nullptr);
  EXPECT_EQ(decision->kind, NodeKind::kDecision);
  ASSERT_EQ(decision->cases.size(), 1u);
  EXPECT_EQ(decision->cases[0].to, "end");
  EXPECT_EQ(decision->cases[0].predicate,
            "\n                ${wf:actionData('shell-node')['my_output'] eq 'Hello Oozie'}\n            ");
  EXPECT_EQ(decision->default_to, "fail");
  EXPECT_EQ(decision->Transitions(), (std::vector<std::string>{"end", "fail"}));
  EXPECT_EQ(app.FindNode("fail")->kill_message,
            "Shell action failed, error message[${wf:errorMessage(wf:lastErrorNode())}]");
}

TEST(WorkflowParser, KeepsTheAppNameUnresolved) {
  const WorkflowApp app = ParseOk(kShellWorkflow);
  EXPECT_EQ(app.name, "${appName}-wf");
  EXPECT_EQ(app.source_name, "workflow.xml");
  EXPECT_EQ(app.definition, kShellWorkflow);
}

TEST(WorkflowParser, ReadsActionLevelSla) {
  const WorkflowApp app = ParseOk(kShellWorkflow);
  const Node* node = app.FindNode("shell-node");
  ASSERT_TRUE(node->sla.has_value());
  EXPECT_EQ(node->sla->xmlns, "uri:oozie:sla:0.2");
  ASSERT_EQ(node->sla->fields.size(), 2u);
  EXPECT_EQ(node->sla->fields[0], (std::pair<std::string, std::string>{"nominal-time", "${nominalTime}"}));
  EXPECT_EQ(node->sla->fields[1], (std::pair<std::string, std::string>{"should-end", "${10 * MINUTES}"}));
  EXPECT_FALSE(app.sla.has_value());
}

TEST(WorkflowParser, ReadsGlobalCredentialsParametersAndWorkflowSla) {
  const std::string xml = R"(<workflow-app xmlns="uri:oozie:workflow:1.0" xmlns:sla="uri:oozie:sla:0.2" name="wf">
  <parameters>
    <property><name>input</name><value>/data/in</value><description>where</description></property>
    <property><name>output</name></property>
  </parameters>
  <global>
    <resource-manager> rm:8032 </resource-manager>
    <name-node>hdfs://nn</name-node>
    <launcher><queue>q</queue></launcher>
    <job-xml>a.xml</job-xml>
    <job-xml>b.xml</job-xml>
    <configuration>
      <property><name> mapred.job.queue.name </name><value>default</value></property>
    </configuration>
  </global>
  <credentials>
    <credential name="hcat" type="hcat">
      <property><name>hcat.metastore.uri</name><value>thrift://h:9083</value></property>
    </credential>
  </credentials>
  <start to="end"/>
  <end name="end"/>
  <sla:info>
    <sla:nominal-time>${nominalTime}</sla:nominal-time>
    <sla:should-end>${shouldEnd}</sla:should-end>
  </sla:info>
</workflow-app>)";
  const WorkflowApp app = ParseOk(xml);
  ASSERT_EQ(app.parameters.size(), 2u);
  EXPECT_EQ(app.parameters[0].name, "input");
  EXPECT_EQ(app.parameters[0].default_value, "/data/in");
  EXPECT_EQ(app.parameters[0].description, "where");
  EXPECT_EQ(app.parameters[1].name, "output");
  EXPECT_FALSE(app.parameters[1].default_value.has_value());

  ASSERT_TRUE(app.global.has_value());
  EXPECT_EQ(app.global->job_tracker, "rm:8032");
  EXPECT_EQ(app.global->name_node, "hdfs://nn");
  EXPECT_EQ(app.global->job_xmls, (std::vector<std::string>{"a.xml", "b.xml"}));
  EXPECT_EQ(app.global->configuration.Get("mapred.job.queue.name"), "default");
  EXPECT_EQ(app.global->launcher_xml, "<launcher xmlns=\"uri:oozie:workflow:1.0\"><queue>q</queue></launcher>");

  ASSERT_EQ(app.credentials.size(), 1u);
  EXPECT_EQ(app.credentials[0].name, "hcat");
  EXPECT_EQ(app.credentials[0].type, "hcat");
  EXPECT_EQ(app.credentials[0].properties.Get("hcat.metastore.uri"), "thrift://h:9083");

  ASSERT_TRUE(app.sla.has_value());
  EXPECT_EQ(app.sla->fields.size(), 2u);
}

TEST(WorkflowParser, ChecksMissingParametersOnlyAgainstAJobConf) {
  const std::string xml = R"(<workflow-app xmlns="uri:oozie:workflow:0.4" name="wf">
  <parameters><property><name>hello</name></property></parameters>
  <start to="end"/>
  <end name="end"/>
</workflow-app>)";
  EXPECT_TRUE(Parse(xml).ok());
  const Properties empty;
  Result<WorkflowApp> app = Parse(xml, &empty);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().error_code(), "E0738");
  // G-206: the message names the count and ends with the missing name.
  const std::string message = app.status().message();
  EXPECT_NE(message.find("1"), std::string::npos);
  EXPECT_EQ(message.substr(message.size() - 5), "hello");
}

TEST(WorkflowParser, RejectsEmptyParameterNameEvenWithoutAJobConf) {
  const std::string xml = R"(<workflow-app xmlns="uri:oozie:workflow:0.4" name="wf">
  <parameters><property><name>  </name></property></parameters>
  <start to="end"/>
  <end name="end"/>
</workflow-app>)";
  Result<WorkflowApp> app = Parse(xml);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().ToString(), "E0739: workflow.xml:2: Parameter name cannot be empty");
}

TEST(WorkflowParser, ResolvesRetryAttributesAgainstTheJobConf) {
  const std::string xml = R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="wf">
  <start to="a"/>
  <action name="a" retry-max="${retryMax}" retry-interval="${retryInterval}" retry-policy="periodic">
    <fs/>
    <ok to="end"/>
    <error to="end"/>
  </action>
  <end name="end"/>
</workflow-app>)";
  Properties conf;
  conf.Set("retryMax", "3");
  conf.Set("retryInterval", "${base}0");
  conf.Set("base", "1");
  const WorkflowApp app = ParseOk(xml, &conf);
  const ActionSpec& action = *app.FindNode("a")->action;
  EXPECT_EQ(action.retry_max, 3);
  EXPECT_EQ(action.retry_interval_minutes, 10);
  EXPECT_EQ(action.retry_policy, "periodic");
}

TEST(WorkflowParser, LeavesRetryUnsetWhenAbsent) {
  const WorkflowApp app = ParseOk(Minimal("uri:oozie:workflow:0.5"));
  const ActionSpec& action = *app.FindNode("a")->action;
  EXPECT_FALSE(action.retry_max.has_value());
  EXPECT_FALSE(action.retry_interval_minutes.has_value());
  EXPECT_EQ(action.retry_policy, "");
}

TEST(WorkflowParser, RejectsNonIntegerRetryWithE0700) {
  const std::string xml = R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="wf">
  <start to="a"/>
  <action name="a" retry-max="99999999999">
    <fs/>
    <ok to="end"/>
    <error to="end"/>
  </action>
  <end name="end"/>
</workflow-app>)";
  Result<WorkflowApp> app = Parse(xml);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().error_code(), "E0700");
  EXPECT_NE(app.status().message().find("workflow.xml:3:"), std::string::npos);
}

TEST(WorkflowParser, UsesTheSourceNameInErrors) {
  ParseOptions options;
  options.source_name = "hdfs://nn/app/workflow.xml";
  Result<WorkflowApp> app = ParseWorkflowXml("<workflow-app xmlns=\"uri:oozie:workflow:0.5\" name=\"x\">\n"
                                             "<start to=\"end\"/>\n<start to=\"end\"/>\n<end name=\"end\"/>\n"
                                             "</workflow-app>",
                                             options);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().message().rfind("hdfs://nn/app/workflow.xml:3: XML schema error", 0), 0u)
      << app.status().ToString();
}

TEST(WorkflowParser, AcceptsAUtf8ByteOrderMark) {
  const std::string xml = "\xEF\xBB\xBF" + Minimal("uri:oozie:workflow:0.5");
  const WorkflowApp app = ParseOk(xml);
  EXPECT_EQ(app.FindNode("a")->line, 3);
}

TEST(WorkflowParser, RejectsMarkupAfterTheRootElement) {
  Result<WorkflowApp> app = Parse(Minimal("uri:oozie:workflow:0.5") + "<extra/>\n");
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().error_code(), "E0701");
}

TEST(WorkflowParser, WithoutSchemaReadsWhatOoziesBareParserReads) {
  ParseOptions options;
  options.validate_schema = false;
  // Attributes the XSD would reject are ignored; nodes still come out.
  Result<WorkflowApp> app = ParseWorkflowXml(R"(<workflow-app xmlns="uri:oozie:workflow:0.1" name="wf">
  <start to="a" extra="1"/>
  <action name="a" retry-max="2">
    <fs/>
    <ok to="end"/>
    <error to="end"/>
  </action>
  <end name="end"/>
</workflow-app>)",
                                             options);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_EQ(app->FindNode("a")->action->retry_max, 2);
}

TEST(WorkflowParser, WithoutSchemaAnActionWithoutTypeIsAnXmlError) {
  ParseOptions options;
  options.validate_schema = false;
  Result<WorkflowApp> app = ParseWorkflowXml(R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="wf">
  <start to="a"/>
  <action name="a"><ok to="end"/><error to="end"/></action>
  <end name="end"/>
</workflow-app>)",
                                             options);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().error_code(), "E0700");
}

TEST(WorkflowParser, WithoutSchemaAMissingStartIsAnXmlError) {
  ParseOptions options;
  options.validate_schema = false;
  Result<WorkflowApp> app = ParseWorkflowXml(
      "<workflow-app xmlns=\"uri:oozie:workflow:0.5\" name=\"wf\"><end name=\"end\"/></workflow-app>", options);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().error_code(), "E0700");
}

TEST(WorkflowParser, NeverThrowsOnOddInput) {
  const std::vector<std::string> inputs = {
      "",
      "not xml",
      "<",
      "<workflow-app/>",
      "<workflow-app xmlns=\"uri:oozie:workflow:0.5\"/>",
      "<workflow-app xmlns=\"uri:oozie:workflow:0.5\" name=\"x\"><start/></workflow-app>",
      "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"v\">]><workflow-app "
      "xmlns=\"uri:oozie:workflow:0.5\" name=\"&e;\"><start to=\"end\"/><end name=\"end\"/></workflow-app>",
      std::string("<workflow-app\0", 14),
      "<a:workflow-app xmlns:a=\"uri:oozie:workflow:0.5\" name=\"x\"><start to=\"end\"/>"
      "<end name=\"end\"/></a:workflow-app>",
  };
  for (const std::string& input : inputs) {
    for (const bool schema : {true, false}) {
      ParseOptions options;
      options.validate_schema = schema;
      Result<WorkflowApp> app = ParseWorkflowXml(input, options);
      if (app.ok()) {
        ValidateOptions validate;
        (void)ValidateWorkflowAll(*app, validate);
      } else {
        EXPECT_FALSE(app.status().error_code().empty()) << app.status().ToString();
      }
    }
  }
}

TEST(WorkflowParser, HandlesDeeplyNestedExtensionContent) {
  std::string nested;
  for (int i = 0; i < 20000; ++i) nested += "<x>";
  for (int i = 0; i < 20000; ++i) nested += "</x>";
  const std::string xml = "<workflow-app xmlns=\"uri:oozie:workflow:0.5\" name=\"wf\"><start to=\"a\"/>"
                          "<action name=\"a\"><ext xmlns=\"uri:ext\">" +
                          nested +
                          "</ext><ok to=\"end\"/><error to=\"end\"/></action><end name=\"end\"/></workflow-app>";
  ParseOptions options;
  options.max_definition_length = xml.size();
  Result<WorkflowApp> app = ParseWorkflowXml(xml, options);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_EQ(app->FindNode("a")->action->xml.rfind("<ext xmlns=\"uri:ext\"><x><x>", 0), 0u);
}

}  // namespace
}  // namespace refinery::workflow
