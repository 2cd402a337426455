// Keeps the documentation honest: the whole workflows it shows parse and
// validate, every setting an action declares (and every train parameter) is
// in the action reference, and every verb of `refinery` answers --help.
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actions/action.h"
#include "ml/params.h"
#include "workflow/workflow_app.h"

namespace refinery {
namespace {

namespace stdfs = std::filesystem;

const stdfs::path kDocDir = stdfs::path(REFINERY_SOURCE_DIR) / "doc";

std::string ReadFile(const stdfs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string Trim(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::vector<stdfs::path> MarkdownFiles() {
  std::vector<stdfs::path> files;
  for (const auto& entry : stdfs::recursive_directory_iterator(kDocDir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".md") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// ---- (a) whole workflow documents in ```xml blocks ----

struct XmlBlock {
  std::string where;  // doc/x.md:12 (the fence's line)
  std::string text;
  bool marked_invalid = false;  // `<!-- invalid -->` on the line before the fence
};

std::vector<XmlBlock> XmlBlocks(const stdfs::path& file) {
  std::vector<XmlBlock> blocks;
  std::istringstream in(ReadFile(file));
  std::string line, previous;
  int number = 0;
  XmlBlock* open = nullptr;
  while (std::getline(in, line)) {
    ++number;
    const std::string trimmed = Trim(line);
    if (open != nullptr) {
      if (trimmed == "```") {
        open = nullptr;
      } else {
        open->text += line + "\n";
      }
      continue;
    }
    if (trimmed == "```xml") {
      XmlBlock block;
      block.where = stdfs::relative(file, kDocDir.parent_path()).string() + ":" + std::to_string(number);
      block.marked_invalid = previous == "<!-- invalid -->";
      blocks.push_back(block);
      open = &blocks.back();
    }
    if (!trimmed.empty()) previous = trimmed;
  }
  return blocks;
}

// True when the block's first element (after <?xml?> and comments) is <workflow-app.
bool IsWholeWorkflow(const std::string& text) {
  size_t pos = 0;
  while (true) {
    pos = text.find_first_not_of(" \t\r\n", pos);
    if (pos == std::string::npos) return false;
    if (text.compare(pos, 2, "<?") == 0) {
      pos = text.find("?>", pos);
    } else if (text.compare(pos, 4, "<!--") == 0) {
      pos = text.find("-->", pos);
    } else {
      return text.compare(pos, 13, "<workflow-app") == 0;
    }
    if (pos == std::string::npos) return false;
    pos += 2;
  }
}

std::vector<std::string> KnownActionTypes() {
  actions::ActionRegistry registry;
  actions::RegisterBuiltinActions(&registry);
  return registry.KnownTypes();
}

// Every problem of one definition, as `refinery validate` reports them.
std::vector<std::string> Problems(const XmlBlock& block) {
  workflow::ParseOptions parse_options;
  parse_options.source_name = block.where;
  auto app = workflow::ParseWorkflowXml(block.text, parse_options);
  if (!app.ok()) return {app.status().ToString()};
  workflow::ValidateOptions validate_options;
  validate_options.known_action_types = KnownActionTypes();
  std::vector<std::string> problems;
  for (const Status& error : workflow::ValidateWorkflowAll(*app, validate_options)) problems.push_back(error.ToString());
  return problems;
}

TEST(DocExamples, WholeWorkflowsInTheDocsValidate) {
  int checked = 0;
  for (const stdfs::path& file : MarkdownFiles()) {
    for (const XmlBlock& block : XmlBlocks(file)) {
      if (!IsWholeWorkflow(block.text)) continue;
      ++checked;
      const std::vector<std::string> problems = Problems(block);
      if (block.marked_invalid) {
        EXPECT_FALSE(problems.empty()) << block.where << " is marked <!-- invalid --> but validates";
        continue;
      }
      std::string all;
      for (const std::string& problem : problems) all += "\n  " + problem;
      EXPECT_TRUE(problems.empty()) << block.where << ": the workflow does not validate (line numbers count from "
                                    << "the fence):" << all;
    }
  }
  // The tour, the migration guide and the action pages show whole workflows.
  EXPECT_GE(checked, 5) << "fewer whole <workflow-app> examples than expected: is the ```xml fence detection broken?";
}

// ---- (b) the action reference lists every declared setting ----

// The page that explains an action type.
std::string PageOf(const std::string& type) {
  if (type == "hive2") return "hive.md";
  if (type == "score") return "train.md";
  return type + ".md";
}

// A name counts as documented when it appears as code (`name`, <name…>, "name") or
// heads a table row (| name |).
bool Documents(const std::string& docs, const std::string& name) {
  for (const std::string& form : {"`" + name + "`", "<" + name + ">", "<" + name + " ", "<" + name + "/",
                                  "\"" + name + "\"", "`" + name + " ", "`" + name + "=", "`<" + name, "| " + name + " |"}) {
    if (docs.find(form) != std::string::npos) return true;
  }
  return false;
}

// The part of doc/actions/README.md under the "### ..." heading that names `type`.
std::string ReferenceSection(const std::string& readme, const std::string& type) {
  std::istringstream in(readme);
  std::string line, section;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0 || line.rfind("### ", 0) == 0) {
      inside = line.rfind("### ", 0) == 0 && line.find("`" + type + "`") != std::string::npos;
      continue;
    }
    if (inside) section += line + "\n";
  }
  return section;
}

// Text as a Markdown table cell shows it.
std::string Escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '|': out += "\\|"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

// Checks that `section` has the row "| `name` | `default` | ..." and says which row to add if not.
void ExpectSettingRow(const std::string& type, const std::string& section, const std::string& name,
                      const std::string& default_value, const std::string& bounds, const std::string& help) {
  const std::string code_default = default_value.empty() ? "" : "`" + default_value + "`";
  const std::string expected_row = "| `" + name + "` | " + code_default + " | " + Escaped(bounds) + " | " + Escaped(help) + " |";
  const std::string start = "| `" + name + "` | ";
  const size_t row = section.find(start);
  ASSERT_NE(row, std::string::npos) << "doc/actions/README.md, section of <" << type << ">, has no row for `" << name
                                    << "`; add:\n" << expected_row;
  const size_t cell = row + start.size();
  const std::string documented_default = Trim(section.substr(cell, section.find(" |", cell) - cell + 1));
  EXPECT_EQ(documented_default, code_default) << "doc/actions/README.md documents the wrong default for `" << name
                                              << "` of <" << type << ">; the row should read:\n" << expected_row;
}

TEST(DocExamples, ActionReferenceListsEveryDeclaredSettingWithItsDefault) {
  const std::string readme = ReadFile(kDocDir / "actions" / "README.md");
  actions::ActionRegistry registry;
  actions::RegisterBuiltinActions(&registry);
  for (const std::string& type : registry.KnownTypes()) {
    EXPECT_TRUE(Documents(readme, type)) << "doc/actions/README.md does not mention the action type <" << type << ">";
    const actions::Action* action = registry.Find(type);
    if (action == nullptr || action->settings().empty()) continue;
    const std::string section = ReferenceSection(readme, type);
    const std::string page = ReadFile(kDocDir / "actions" / PageOf(type));
    ASSERT_FALSE(page.empty()) << "no page doc/actions/" << PageOf(type) << " for <" << type << ">";
    ASSERT_FALSE(section.empty()) << "doc/actions/README.md has no \"### `" << type << "`\" section";
    for (const actions::SettingSpec& setting : action->settings()) {
      if (setting.name.rfind("param:", 0) == 0) continue;  // the parameter table, below
      ExpectSettingRow(type, section, setting.name, setting.default_value, setting.bounds, setting.help);
      // The action's own page explains it too.
      EXPECT_TRUE(Documents(page, setting.name))
          << "doc/actions/" << PageOf(type) << " does not explain `" << setting.name << "` of <" << type << ">";
    }
  }
}

TEST(DocExamples, ActionReferenceListsEveryTrainParameterWithItsDefault) {
  const std::string section = ReferenceSection(ReadFile(kDocDir / "actions" / "README.md"), "train");
  const std::string page = ReadFile(kDocDir / "actions" / "train.md");
  for (const ml::ParamSpec& param : ml::TrainParams()) {
    ExpectSettingRow("train", section, param.name, param.default_value, ml::BoundsText(param), param.help);
    EXPECT_TRUE(Documents(page, param.name)) << "doc/actions/train.md does not explain parameter `" << param.name << "`";
  }
}

// ---- (c) every verb answers --help ----

struct CommandRun {
  int exit_code = -1;
  std::string out;
};

CommandRun RunBinary(const std::string& arguments) {
  CommandRun run;
  const std::string command = std::string("'") + REFINERY_BINARY + "' " + arguments + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) run.out.append(buffer, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// (name, description) of each subcommand CLI11 lists under "Subcommands:".
std::vector<std::pair<std::string, std::string>> Subcommands(const std::string& help) {
  std::vector<std::pair<std::string, std::string>> verbs;
  std::istringstream in(help);
  std::string line;
  bool listing = false;
  while (std::getline(in, line)) {
    if (Trim(line) == "Subcommands:" || Trim(line) == "SUBCOMMANDS:") {
      listing = true;
      continue;
    }
    if (!listing) continue;
    if (line.rfind("  ", 0) != 0 || Trim(line).empty()) break;
    const std::string entry = Trim(line);
    const size_t space = entry.find(' ');
    if (space == std::string::npos) continue;
    verbs.emplace_back(entry.substr(0, space), Trim(entry.substr(space)));
  }
  return verbs;
}

void ExpectActionableHelp(const std::string& verb, const std::string& description) {
  const CommandRun run = RunBinary(verb + " --help");
  EXPECT_EQ(run.exit_code, 0) << "refinery " << verb << " --help:\n" << run.out;
  EXPECT_NE(run.out.find("Usage:"), std::string::npos) << "refinery " << verb << " --help:\n" << run.out;
  EXPECT_GE(description.size(), 15u) << "refinery " << verb << ": the description [" << description
                                     << "] is too short to act on";
  if (verb == "fs") return;  // hdfs-style usage, listed by its own parser
  EXPECT_NE(run.out.find(description.substr(0, 30)), std::string::npos)
      << "refinery " << verb << " --help does not show its description";
  EXPECT_NE(run.out.find("Example"), std::string::npos)
      << "refinery " << verb << " --help shows no example invocation:\n" << run.out;
}

TEST(DocExamples, EveryVerbHasActionableHelp) {
  const CommandRun top = RunBinary("--help");
  ASSERT_EQ(top.exit_code, 0) << top.out;
  const auto verbs = Subcommands(top.out);
  std::vector<std::string> names;
  for (const auto& [verb, description] : verbs) names.push_back(verb);
  for (const char* expected : {"job", "jobs", "validate", "admin", "recover", "server", "models", "predict",
                               "version", "fs"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end())
        << "refinery --help does not list [" << expected << "]:\n" << top.out;
  }
  for (const auto& [verb, description] : verbs) {
    SCOPED_TRACE(verb);
    ExpectActionableHelp(verb, description);
    if (verb != "models") continue;
    const auto model_verbs = Subcommands(RunBinary("models --help").out);
    EXPECT_EQ(model_verbs.size(), 6u) << "refinery models: list, show, register, promote, rollback, diff";
    for (const auto& [sub, sub_description] : model_verbs) ExpectActionableHelp("models " + sub, sub_description);
  }
}

TEST(DocExamples, FsHelpWorksWithAndWithoutDashes) {
  for (const char* spelling : {"fs --help", "fs -help", "fs -h"}) {
    const CommandRun run = RunBinary(spelling);
    EXPECT_EQ(run.exit_code, 0) << spelling << ":\n" << run.out;
    EXPECT_NE(run.out.find("-put"), std::string::npos) << spelling << ":\n" << run.out;
  }
}

}  // namespace
}  // namespace refinery
