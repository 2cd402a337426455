#include "ml/frame.h"

#include <gtest/gtest.h>

namespace refinery::ml {
namespace {

// A source that streams fixed text rows, as the SQL engine does.
RowSource Rows(std::string name, std::vector<data::Column> columns, std::vector<std::vector<const char*>> rows) {
  return {std::move(name), [columns, rows](data::RowSink* sink) -> Status {
            REFINERY_RETURN_IF_ERROR(sink->OnColumns(columns));
            for (const auto& row : rows) {
              std::vector<data::Field> fields;
              for (const char* v : row) fields.push_back(v == nullptr ? data::Field{"", true} : data::Field{v, false});
              REFINERY_RETURN_IF_ERROR(sink->OnRow(fields));
            }
            return Status::Ok();
          }};
}

const std::vector<data::Column> kUntyped = {{"avg", "string", data::ValueType::kText},
                                            {"city", "string", data::ValueType::kText}};

TEST(FrameFromRowSources, UntypedColumnsOfNumbersBecomeNumericWhenAsked) {
  FrameOptions options;
  options.infer_numbers = true;
  auto frame = LoadFrame({Rows("<sql>", kUntyped, {{"1.5", "Lisbon"}, {nullptr, "7"}, {"-2", "Porto"}})}, options);
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  EXPECT_EQ(frame->rows, 3u);
  const FrameColumn& avg = frame->columns[0];
  ASSERT_TRUE(avg.numeric);
  EXPECT_EQ(avg.numbers[0], 1.5);
  EXPECT_TRUE(avg.IsNull(1));
  EXPECT_EQ(avg.numbers[2], -2);
  EXPECT_EQ(avg.nulls, 1);
  EXPECT_FALSE(frame->columns[1].numeric);  // "Lisbon" is no number
  EXPECT_EQ(frame->inputs[0].path, "<sql>");
  EXPECT_EQ(frame->inputs[0].rows, 3);

  options.force_text.insert("avg");
  auto kept = LoadFrame({Rows("<sql>", kUntyped, {{"1", "a"}})}, options);
  ASSERT_TRUE(kept.ok());
  EXPECT_FALSE(kept->columns[0].numeric);
  options.force_text.clear();
  options.infer_numbers = false;
  auto plain = LoadFrame({Rows("<sql>", kUntyped, {{"1", "a"}})}, options);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->columns[0].numeric);
}

TEST(FrameFromRowSources, ChecksumsAreSha256OfTheFieldsAsRead) {
  FrameOptions options;
  auto a = LoadFrame({Rows("a", kUntyped, {{"1", "x"}, {nullptr, "y"}})}, options);
  auto same = LoadFrame({Rows("b", kUntyped, {{"1", "x"}, {nullptr, "y"}})}, options);
  auto other = LoadFrame({Rows("c", kUntyped, {{"1", "x"}, {"", "y"}})}, options);  // empty text is not null
  ASSERT_TRUE(a.ok() && same.ok() && other.ok());
  EXPECT_EQ(a->inputs[0].checksum.rfind("sha256:", 0), 0u);
  EXPECT_EQ(a->inputs[0].checksum, same->inputs[0].checksum);
  EXPECT_NE(a->inputs[0].checksum, other->inputs[0].checksum);
}

TEST(FrameFromRowSources, ASourceErrorIsReturnedUnchanged) {
  RowSource failing{"<sql>", [](data::RowSink*) { return Status::InvalidArgument("no such column: x", "HIVE006"); }};
  auto frame = LoadFrame(std::vector<RowSource>{failing}, FrameOptions());
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.status().error_code(), "HIVE006");
}

}  // namespace
}  // namespace refinery::ml
