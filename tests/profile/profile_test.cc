// Profiles of real data sets checked against statistics computed
// independently by Python's csv module (tests/profile/csv_stats.py).
#include "profile/profile.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "profile/html_report.h"

namespace refinery::profile {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

const std::string kSourceDir = REFINERY_SOURCE_DIR;

json RunPython(const std::string& csv_path) {
  const std::string command = "/usr/bin/python3 " + kSourceDir + "/tests/profile/csv_stats.py '" + csv_path + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return json();
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  ::pclose(pipe);
  return json::parse(out, nullptr, false);
}

json Profile(const std::string& path, const ProfileOptions& options = {}, const json* previous = nullptr) {
  auto reader = data::DatasetReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return json();
  auto profile = ProfileDataset(*reader, options, previous);
  EXPECT_TRUE(profile.ok()) << profile.status().ToString();
  return profile.ok() ? *profile : json();
}

const json& Column(const json& profile, const std::string& name) {
  for (const json& column : profile["columns"]) {
    if (column["name"] == name) return column;
  }
  static const json kNone;
  ADD_FAILURE() << "no column " << name;
  return kNone;
}

void ExpectMatchesPython(const std::string& path) {
  const json expected = RunPython(path);
  ASSERT_TRUE(expected.is_object()) << "python3 failed on " << path;
  const json profile = Profile(path);
  ASSERT_TRUE(profile.is_object());
  EXPECT_EQ(profile["rows"], expected["rows"]);
  EXPECT_EQ(profile["duplicate_rows"], expected["duplicate_rows"]);
  ASSERT_EQ(profile["columns"].size(), expected["columns"].size());
  for (size_t i = 0; i < expected["columns"].size(); ++i) {
    const json& want = expected["columns"][i];
    const json& got = profile["columns"][i];
    SCOPED_TRACE(want["name"].get<std::string>());
    EXPECT_EQ(got["name"], want["name"]);
    EXPECT_EQ(got["count"], want["count"]);
    EXPECT_EQ(got["nulls"], want["nulls"]);
    EXPECT_EQ(got["distinct"], want["distinct"]);
    EXPECT_EQ(got["kind"] == "numeric", want["numeric"].get<bool>());
    if (want["numeric"].get<bool>()) {
      EXPECT_DOUBLE_EQ(got["min"].get<double>(), want["min"].get<double>());
      EXPECT_DOUBLE_EQ(got["max"].get<double>(), want["max"].get<double>());
      EXPECT_NEAR(got["mean"].get<double>(), want["mean"].get<double>(), 1e-9 * std::abs(want["mean"].get<double>()) + 1e-12);
      EXPECT_NEAR(got["stddev"].get<double>(), want["stddev"].get<double>(), 1e-6 * want["stddev"].get<double>());
      EXPECT_EQ(got["zeros"], want["zeros"]);
      EXPECT_EQ(got["negatives"], want["negatives"]);
    } else {
      EXPECT_EQ(got["min"], want["min"]);
      EXPECT_EQ(got["max"], want["max"]);
      EXPECT_EQ(got["top_values"][0]["count"], want["top_count"]);
    }
  }
}

TEST(ProfileDataset, TelcoChurnMatchesPythonIncludingItsMissingValues) {
  const std::string path = kSourceDir + "/tests/data/profile/telco_churn.csv";
  ExpectMatchesPython(path);
  const json profile = Profile(path);
  EXPECT_EQ(Column(profile, "total_charges")["nulls"], 11);
  EXPECT_EQ(profile["duplicate_rows"], 22);
  EXPECT_TRUE(profile["duplicate_rows_exact"].get<bool>());
}

TEST(ProfileDataset, BankMarketingMatchesPythonAndFlagsDisguisedMissingValues) {
  const std::string path = kSourceDir + "/examples/data/bank_marketing.csv";
  ExpectMatchesPython(path);
  const json profile = Profile(path);
  const json pdays = Column(profile, "pdays")["disguised_missing"];
  ASSERT_FALSE(pdays.empty());
  EXPECT_EQ(pdays[0]["value"], -1.0);
  EXPECT_EQ(pdays[0]["count"], 3705);
  const json job = Column(profile, "job")["disguised_missing"];
  ASSERT_EQ(job.size(), 1u);
  EXPECT_EQ(job[0]["value"], "unknown");
  EXPECT_EQ(job[0]["count"], 38);
  // Exact quantiles: the median of age in this file.
  EXPECT_TRUE(Column(profile, "age")["quantiles_exact"].get<bool>());
  EXPECT_DOUBLE_EQ(Column(profile, "age")["quantiles"]["p50"].get<double>(), 39.0);
}

class ProfileFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() /
           ("refinery-profile-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string Write(const std::string& name, const std::string& content) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }
  // n rows: id, age (shifted by `age_shift`), income (every `null_every`th empty), job.
  std::string Snapshot(const std::string& name, int rows, int age_shift, int null_every, bool new_job) {
    std::string text = "id,age,income,job\n";
    for (int i = 0; i < rows; ++i) {
      text += std::to_string(i) + "," + std::to_string(20 + (i * 7) % 50 + age_shift) + ",";
      if (i % null_every != 0) text += std::to_string(1000 + (i * 13) % 997);
      const char* jobs[] = {"admin", "technician", "services"};
      text += std::string(",") + (new_job && i % 10 == 0 ? "pilot" : jobs[i % 3]) + "\n";
    }
    return Write(name, text);
  }
  std::filesystem::path dir_;
};

TEST_F(ProfileFiles, OneAndTwoThreadsGiveTheSameProfile) {
  const std::string path = kSourceDir + "/tests/data/profile/telco_churn.csv";
  ProfileOptions one;
  one.threads = 1;
  ProfileOptions two;
  two.threads = 2;
  ProfileOptions four;
  four.threads = 4;
  const json a = Profile(path, one);
  EXPECT_EQ(a, Profile(path, two));
  EXPECT_EQ(a, Profile(path, four));
}

TEST_F(ProfileFiles, DriftBetweenTwoSnapshots) {
  const json before = Profile(Snapshot("a.csv", 2000, 0, 20, false));
  ASSERT_TRUE(before.is_object());
  EXPECT_TRUE(before["drift"].is_null());
  const json after = Profile(Snapshot("b.csv", 1500, 15, 4, true), {}, &before);
  const json& drift = after["drift"];
  ASSERT_TRUE(drift.is_object());
  EXPECT_DOUBLE_EQ(drift["rows_change"].get<double>(), -0.25);
  auto column = [&](const std::string& name) {
    for (const json& c : drift["columns"]) {
      if (c["name"] == name) return c;
    }
    return json();
  };
  EXPECT_GT(column("age")["psi"].get<double>(), 0.2);
  EXPECT_LT(column("income")["psi"].get<double>(), 0.1);
  EXPECT_NEAR(column("income")["null_fraction_change"].get<double>(), 0.25 - 0.05, 1e-9);
  EXPECT_EQ(column("job")["new_categories"], json::array({"pilot"}));
  EXPECT_EQ(column("job")["new_category_count"], 1);
  EXPECT_EQ(column("job")["missing_category_count"], 0);
  EXPECT_GT(column("job")["psi"].get<double>(), 0.1);

  // The same data twice: no drift.
  const json same = Profile(Snapshot("c.csv", 2000, 0, 20, false), {}, &before);
  for (const json& c : same["drift"]["columns"]) {
    if (c["psi"].is_number()) {
      EXPECT_NEAR(c["psi"].get<double>(), 0.0, 1e-9) << c["name"];
    }
  }
}

TEST_F(ProfileFiles, IdColumnsAreCountedButLeftOutOfDuplicateRows) {
  const std::string path = Write("ids.csv", "id,v\n1,a\n2,a\n3,b\n3,c\n");
  ProfileOptions options;
  options.id_columns = {"id"};
  const json profile = Profile(path, options);
  EXPECT_EQ(profile["duplicate_rows"], 1);  // rows 1 and 2 differ only by id
  EXPECT_EQ(Column(profile, "id")["kind"], "id");
  EXPECT_EQ(Column(profile, "id")["duplicate_ids"], 1);
  options.id_columns = {"nope"};
  auto reader = data::DatasetReader::Open(path);
  ASSERT_TRUE(reader.ok());
  auto bad = ProfileDataset(*reader, options, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("id column \"nope\" is not a column of the dataset; columns: id, v"));
}

TEST_F(ProfileFiles, NullTokensCountAsNulls) {
  const std::string path = Write("tokens.csv", "a,b\nx,1\nNA,2\n?,3\n,4\n");
  ProfileOptions options;
  options.null_tokens = {"NA"};
  const json profile = Profile(path, options);
  EXPECT_EQ(Column(profile, "a")["nulls"], 2);
  EXPECT_EQ(Column(profile, "a")["count"], 2);
  EXPECT_EQ(Column(profile, "a")["disguised_missing"][0]["value"], "?");
}

TEST_F(ProfileFiles, RaggedRowIsReportedWithFileLineAndColumn) {
  // Past the rows the CSV schema inference samples, so the profile pass meets it.
  std::string text = "a,b,c\n";
  for (int i = 0; i < 12000; ++i) text += "1,2,3\n";
  text += "4,5\n7,8,9\n";
  const std::string path = Write("ragged.csv", text);
  auto reader = data::DatasetReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  for (int threads : {1, 2}) {
    ProfileOptions options;
    options.threads = threads;
    auto profile = ProfileDataset(*reader, options, nullptr);
    ASSERT_FALSE(profile.ok());
    EXPECT_EQ(profile.status().error_code(), data::kBadRowCode);
    EXPECT_THAT(profile.status().message(), HasSubstr("ragged.csv:12002"));
  }
}

TEST_F(ProfileFiles, UndecodableBytesAreReportedWithTheColumn) {
  std::string text = "a,b\n";
  for (int i = 0; i < 12000; ++i) text += "x,1\n";
  text += "x,\xff\xfe\n";
  auto reader = data::DatasetReader::Open(Write("bytes.csv", text));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto profile = ProfileDataset(*reader, {}, nullptr);
  ASSERT_FALSE(profile.ok());
  EXPECT_THAT(profile.status().message(), HasSubstr("bytes.csv:12002, column 2"));
}

TEST_F(ProfileFiles, ValuesTheSidecarTypeCannotReadAreCountedWithTheirRow) {
  std::filesystem::create_directories(dir_ / "raw");
  data::DatasetSchema schema;
  schema.columns = {{"age", "int", data::ValueType::kInteger}, {"job", "varchar", data::ValueType::kText}};
  Write("raw/part-m-00000", "30,admin\nabc,admin\n31,null\n");
  Write("raw/_schema.properties", data::FormatDatasetSchema(schema, "sqlite", "people", "", 1));
  Write("raw/_SUCCESS", "");
  const json profile = Profile((dir_ / "raw").string());
  const json& age = Column(profile, "age");
  EXPECT_EQ(age["invalid"], 1);
  EXPECT_EQ(age["first_invalid"]["row"], 2);
  EXPECT_EQ(age["first_invalid"]["value"], "abc");
  EXPECT_EQ(age["first_invalid"]["where"], "part-m-00000:2, column 1 (\"age\")");
  EXPECT_EQ(age["count"], 3);
  EXPECT_DOUBLE_EQ(age["mean"].get<double>(), 30.5);
  EXPECT_EQ(Column(profile, "job")["nulls"], 1);
  EXPECT_EQ(Column(profile, "job")["invalid"], 0);
}

TEST_F(ProfileFiles, InvalidValueInALaterPartFileIsNamedByFileLineAndColumn) {
  std::filesystem::create_directories(dir_ / "raw");
  data::DatasetSchema schema;
  schema.columns = {{"job", "varchar", data::ValueType::kText},
                    {"age", "int", data::ValueType::kInteger},
                    {"joined", "date", data::ValueType::kDate}};
  schema.format.enclosed_by = '"';
  schema.format.escaped_by = '\\';
  Write("raw/part-m-00000", "admin,30,2024-01-02\nadmin,31,2024-01-03\n");
  // Line 1 holds a value spanning two lines, so the bad row starts on line 3.
  Write("raw/part-m-00001", "\"two\nlines\",32,2024-01-04\nservices,abc,2024-13\nx,33,2024-01-05\n");
  Write("raw/_schema.properties", data::FormatDatasetSchema(schema, "sqlite", "people", "", 2));
  Write("raw/_SUCCESS", "");
  for (int threads : {1, 2}) {
    ProfileOptions options;
    options.threads = threads;
    const json profile = Profile((dir_ / "raw").string(), options);
    const json& age = Column(profile, "age");
    EXPECT_EQ(age["invalid"], 1);
    EXPECT_EQ(age["first_invalid"]["file"], "part-m-00001");
    EXPECT_EQ(age["first_invalid"]["line"], 3);
    EXPECT_EQ(age["first_invalid"]["column"], 2);
    EXPECT_EQ(age["first_invalid"]["row"], 4);
    EXPECT_EQ(age["first_invalid"]["where"], "part-m-00001:3, column 2 (\"age\")");
    const json& joined = Column(profile, "joined");
    EXPECT_EQ(joined["invalid"], 1);
    EXPECT_EQ(joined["first_invalid"]["where"], "part-m-00001:3, column 3 (\"joined\")");
    EXPECT_EQ(joined["first_invalid"]["value"], "2024-13");
    const std::string html = RenderHtmlReport(profile);
    EXPECT_THAT(html, HasSubstr("part-m-00001:3, column 2 (&quot;age&quot;): <code>abc</code>"));
  }
}

TEST_F(ProfileFiles, InvalidValueInACsvFileCountsTheHeaderLine) {
  // The type is inferred from the first rows; the 10001st data row disagrees.
  std::string text = "n,flag\n";
  for (int i = 0; i < 10000; ++i) text += std::to_string(i) + ",true\n";
  text += "\nnot-a-number,maybe\n";
  const json profile = Profile(Write("late.csv", text));
  EXPECT_EQ(Column(profile, "n")["first_invalid"]["where"], "late.csv:10003, column 1 (\"n\")");
  EXPECT_EQ(Column(profile, "flag")["type"], "boolean");
  EXPECT_EQ(Column(profile, "flag")["first_invalid"]["where"], "late.csv:10003, column 2 (\"flag\")");
}

TEST_F(ProfileFiles, HtmlReportIsSelfContained) {
  const json profile = Profile(kSourceDir + "/examples/data/bank_marketing.csv");
  const std::string html = RenderHtmlReport(profile);
  EXPECT_THAT(html, HasSubstr("<svg"));
  EXPECT_THAT(html, HasSubstr("histogram of age"));
  EXPECT_THAT(html, HasSubstr("top values of job"));
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(HtmlEscape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
}

}  // namespace
}  // namespace refinery::profile
