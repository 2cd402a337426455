// Walks tests/data/<kind>/*.test and checks every case with the handler
// registered for <kind>.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "golden/golden.h"

namespace refinery::golden {
namespace {

std::string Trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

std::map<std::string, GoldenHandler>& MutableHandlers() {
  static std::map<std::string, GoldenHandler> handlers;
  return handlers;
}

}  // namespace

bool RegisterGoldenHandler(const std::string& kind, GoldenHandler handler) {
  MutableHandlers()[kind] = std::move(handler);
  return true;
}

const std::map<std::string, GoldenHandler>& GoldenHandlers() { return MutableHandlers(); }

std::string ContextValue(const GoldenCase& c, const std::string& key) {
  for (const auto& [k, v] : c.context) {
    if (k == key) return v;
  }
  return "";
}

std::vector<std::string> ContextValues(const GoldenCase& c, const std::string& key) {
  std::vector<std::string> values;
  for (const auto& [k, v] : c.context) {
    if (k == key) values.push_back(v);
  }
  return values;
}

std::vector<GoldenCase> ParseGoldenFile(const std::string& text, const std::string& file) {
  std::vector<GoldenCase> cases;
  GoldenCase current;
  current.file = file;
  bool in_expected = false;
  std::vector<std::string> input_lines, expected_lines;
  auto flush = [&]() {
    if (input_lines.empty() && expected_lines.empty() && current.context.empty()) return;
    std::ostringstream in, out;
    for (size_t i = 0; i < input_lines.size(); ++i) in << (i ? "\n" : "") << input_lines[i];
    for (size_t i = 0; i < expected_lines.size(); ++i) out << (i ? "\n" : "") << expected_lines[i];
    current.input = in.str();
    current.expected = out.str();
    cases.push_back(current);
  };
  std::istringstream stream(text);
  std::string line;
  int line_number = 0;
  while (std::getline(stream, line)) {
    ++line_number;
    if (line == "====") {
      flush();
      current = GoldenCase{};
      current.file = file;
      in_expected = false;
      input_lines.clear();
      expected_lines.clear();
      continue;
    }
    if (in_expected) {
      expected_lines.push_back(line);
      continue;
    }
    if (line == "----") {
      in_expected = true;
      continue;
    }
    if (input_lines.empty() && line.rfind("#", 0) == 0) {
      current.comments.push_back(line);
      continue;
    }
    if (input_lines.empty() && line.rfind("@", 0) == 0) {
      const auto space = line.find(' ');
      current.context.emplace_back(line.substr(1, space == std::string::npos ? std::string::npos : space - 1),
                                   space == std::string::npos ? "" : line.substr(space + 1));
      continue;
    }
    if (input_lines.empty()) current.line = line_number;
    input_lines.push_back(line);
  }
  flush();
  return cases;
}

namespace {

TEST(GoldenFiles, EveryCaseMatchesItsExpectedOutput) {
  const std::filesystem::path root = std::filesystem::path(REFINERY_SOURCE_DIR) / "tests" / "data";
  int checked = 0;
  for (const auto& [kind, handler] : GoldenHandlers()) {
    const auto dir = root / kind;
    if (!std::filesystem::exists(dir)) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (entry.path().extension() == ".test") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
      std::ifstream in(path);
      std::stringstream buffer;
      buffer << in.rdbuf();
      const std::string rel = std::filesystem::relative(path, root).string();
      for (const GoldenCase& c : ParseGoldenFile(buffer.str(), rel)) {
        SCOPED_TRACE(rel + ":" + std::to_string(c.line));
        const Result<std::string> got = handler(c);
        const std::string expected = Trim(c.expected);
        if (expected.rfind("error", 0) == 0) {
          const std::string substring = Trim(expected.substr(5));
          ASSERT_FALSE(got.ok()) << "expected an error containing [" << substring << "] but got ["
                                 << got.value() << "]";
          EXPECT_NE(got.status().ToString().find(substring), std::string::npos)
              << "error [" << got.status().ToString() << "] lacks [" << substring << "]";
        } else {
          ASSERT_TRUE(got.ok()) << got.status().ToString();
          EXPECT_EQ(Trim(got.value()), expected);
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 0) << "no golden cases found under " << root;
  std::printf("golden cases checked: %d\n", checked);
}

}  // namespace
}  // namespace refinery::golden
