#include "ml/feature_pipeline.h"

#include <gtest/gtest.h>

#include <cmath>

namespace refinery::ml {
namespace {

FrameColumn Numeric(const std::string& name, const std::vector<double>& values) {
  FrameColumn c;
  c.name = name;
  c.numeric = true;
  for (double v : values) c.Append(std::isnan(v) ? Value::Null() : Value::Number(v));
  return c;
}

FrameColumn Text(const std::string& name, const std::vector<std::string>& values) {
  FrameColumn c;
  c.name = name;
  c.numeric = false;
  for (const std::string& v : values) c.Append(v.empty() ? Value::Null() : Value::Text(v));
  return c;
}

const double kNull = std::nan("");

// age: 1, 2, null, 4, 10; job: a, a, b, c, null.
Frame SmallFrame() {
  Frame frame;
  frame.columns.push_back(Numeric("age", {1, 2, kNull, 4, 10}));
  frame.columns.push_back(Text("job", {"a", "a", "b", "c", ""}));
  frame.rows = 5;
  return frame;
}

const std::vector<uint32_t> kAll = {0, 1, 2, 3, 4};
const std::vector<InputColumn> kInputs = {{"age", true}, {"job", false}};

FeaturePipeline Fit(const Frame& frame, const std::vector<ColumnSpec>& overrides, CategoricalEncoding encoding = CategoricalEncoding::kNative) {
  auto pipeline = FeaturePipeline::Fit(frame, kAll, kInputs, {}, {"age", "job"}, overrides, encoding);
  EXPECT_TRUE(pipeline.ok()) << pipeline.status().ToString();
  return std::move(pipeline).value();
}

std::vector<float> EncodeRow(const FeaturePipeline& pipeline, const nlohmann::json& row) {
  std::vector<float> out(pipeline.width());
  const Status status = pipeline.EncodeRow(row, out.data());
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

ColumnSpec Override(const std::string& name, MissingStrategy missing, std::string constant = "") {
  ColumnSpec spec;
  spec.name = name;
  spec.missing = missing;
  spec.constant = std::move(constant);
  return spec;
}

TEST(FeaturePipeline, NativeMissingStaysNaNAndCategoriesAreCodedByFrequency) {
  const FeaturePipeline p = Fit(SmallFrame(), {});
  EXPECT_EQ(p.encoded_types(), (std::vector<std::string>{"q", "c"}));
  EXPECT_EQ(p.features()[1].categories, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(p.features()[0].min, 1);
  EXPECT_EQ(p.features()[0].max, 10);
  EXPECT_EQ(p.features()[0].nulls, 1);
  const auto row = EncodeRow(p, {{"age", nullptr}, {"job", "c"}});
  EXPECT_TRUE(std::isnan(row[0]));
  EXPECT_EQ(row[1], 2);
}

TEST(FeaturePipeline, ImputesMeanMedianModeAndConstant) {
  const Frame frame = SmallFrame();
  EXPECT_EQ(EncodeRow(Fit(frame, {Override("age", MissingStrategy::kMean)}), {{"job", "a"}})[0], 4.25f);
  EXPECT_EQ(EncodeRow(Fit(frame, {Override("age", MissingStrategy::kMedian)}), {{"job", "a"}})[0], 4.0f);
  EXPECT_EQ(EncodeRow(Fit(frame, {Override("age", MissingStrategy::kConstant, "-1")}), {{"job", "a"}})[0], -1.0f);
  // Categorical mode: the most frequent category ("a", code 0).
  EXPECT_EQ(EncodeRow(Fit(frame, {Override("job", MissingStrategy::kMode)}), {{"age", 1}})[1], 0.0f);
  // Categorical constant: a category of its own.
  const FeaturePipeline constant = Fit(frame, {Override("job", MissingStrategy::kConstant, "none")});
  EXPECT_EQ(constant.features()[1].categories.back(), "none");
  EXPECT_EQ(EncodeRow(constant, {{"age", 1}})[1], 3.0f);
}

TEST(FeaturePipeline, MeanOfACategoricalColumnIsRejected) {
  auto p = FeaturePipeline::Fit(SmallFrame(), kAll, kInputs, {}, {"age", "job"},
                                {Override("job", MissingStrategy::kMean)}, CategoricalEncoding::kNative);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("applies to numbers only"), std::string::npos);
}

TEST(FeaturePipeline, RareCategoriesShareABucket) {
  ColumnSpec spec;
  spec.name = "job";
  spec.max_categories = 2;
  const FeaturePipeline p = Fit(SmallFrame(), {spec});
  EXPECT_EQ(p.features()[1].categories, (std::vector<std::string>{"a", kRareCategory}));
  EXPECT_EQ(EncodeRow(p, {{"job", "b"}})[1], 1.0f);
  EXPECT_EQ(EncodeRow(p, {{"job", "never-seen"}})[1], 1.0f);
}

TEST(FeaturePipeline, UnseenCategoryPolicies) {
  ColumnSpec spec;
  spec.name = "job";
  spec.unseen = UnseenPolicy::kMissing;
  EXPECT_TRUE(std::isnan(EncodeRow(Fit(SmallFrame(), {spec}), {{"job", "zzz"}})[1]));
  spec.unseen = UnseenPolicy::kRare;
  const FeaturePipeline rare = Fit(SmallFrame(), {spec});
  EXPECT_EQ(EncodeRow(rare, {{"job", "zzz"}})[1], 3.0f);  // a, b, c, __rare__
  spec.unseen = UnseenPolicy::kError;
  const FeaturePipeline strict = Fit(SmallFrame(), {spec});
  std::vector<float> out(strict.width());
  const Status status = strict.EncodeRow({{"job", "zzz"}}, out.data());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error_code(), kBadInputRowCode);
  EXPECT_NE(status.message().find("field 'job': category [zzz] was never seen"), std::string::npos);
}

TEST(FeaturePipeline, OneHotForLinearModels) {
  const FeaturePipeline p = Fit(SmallFrame(), {}, CategoricalEncoding::kOneHot);
  EXPECT_EQ(p.encoded_names(), (std::vector<std::string>{"age", "job=a", "job=b", "job=c"}));
  EXPECT_EQ(EncodeRow(p, {{"age", 3}, {"job", "b"}}), (std::vector<float>{3, 0, 1, 0}));
  EXPECT_EQ(p.encoded_feature(), (std::vector<int>{0, 1, 1, 1}));
}

// job: a, a, b, c, null with labels 0, 0, 1, 1, 1: b and c convert, a does not.
FeaturePipeline FitOrdered(const std::vector<ColumnSpec>& overrides) {
  const std::vector<float> labels = {0, 0, 1, 1, 1};
  auto pipeline = FeaturePipeline::Fit(SmallFrame(), kAll, kInputs, {}, {"age", "job"}, overrides,
                                       CategoricalEncoding::kOrdered, &labels);
  EXPECT_TRUE(pipeline.ok()) << pipeline.status().ToString();
  return std::move(pipeline).value();
}

TEST(FeaturePipeline, OrderedCategoriesAreNumberedByTargetMeanAndSplitAsNumbers) {
  const FeaturePipeline p = FitOrdered({});
  EXPECT_EQ(p.encoded_types(), (std::vector<std::string>{"q", "q"}));
  // a (mean 0) first; b and c tie and keep their frequency order.
  EXPECT_EQ(p.features()[1].categories, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(EncodeRow(p, {{"job", "c"}})[1], 2.0f);
  EXPECT_TRUE(std::isnan(EncodeRow(p, {{"job", nullptr}})[1]));
  // The encoding survives the bundle: a reloaded pipeline encodes the same.
  auto reloaded = FeaturePipeline::FromJson(p.ToJson());
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  EXPECT_EQ(reloaded->encoding(), CategoricalEncoding::kOrdered);
  EXPECT_EQ(EncodeRow(*reloaded, {{"age", 3}, {"job", "c"}}), EncodeRow(p, {{"age", 3}, {"job", "c"}}));
}

TEST(FeaturePipeline, OrderedCategoriesKeepTheRareBucketAndTheFillWithTheirCategory) {
  ColumnSpec spec = Override("job", MissingStrategy::kMode);
  spec.max_categories = 2;  // a stays; b and c share the rare bucket, whose mean is 1
  const FeaturePipeline p = FitOrdered({spec});
  EXPECT_EQ(p.features()[1].categories, (std::vector<std::string>{"a", kRareCategory}));
  EXPECT_EQ(EncodeRow(p, {{"job", "never-seen"}})[1], 1.0f);
  EXPECT_EQ(EncodeRow(p, {{"job", nullptr}})[1], 0.0f);  // the mode, "a"
}

TEST(FeaturePipeline, RowEncodingEqualsFrameEncoding) {
  const Frame frame = SmallFrame();
  const FeaturePipeline p = Fit(frame, {Override("age", MissingStrategy::kMedian)});
  std::vector<float> matrix(kAll.size() * p.width());
  p.EncodeFrame(frame, kAll, matrix.data());
  for (size_t r = 0; r < kAll.size(); ++r) {
    nlohmann::json row = nlohmann::json::object();
    for (const FrameColumn& c : frame.columns) {
      const Value v = c.At(r);
      if (v.is_number()) row[c.name] = v.number;
      if (v.is_text()) row[c.name] = v.text;
    }
    const auto encoded = EncodeRow(p, row);
    for (size_t c = 0; c < p.width(); ++c) {
      const float expected = matrix[r * p.width() + c];
      if (std::isnan(expected)) {
        EXPECT_TRUE(std::isnan(encoded[c]));
      } else {
        EXPECT_EQ(encoded[c], expected) << "row " << r << " column " << c;
      }
    }
  }
}

TEST(FeaturePipeline, DerivedFeaturesAreEvaluatedFromTheRawRow) {
  Frame frame = SmallFrame();
  auto e = Expression::Parse("CASE WHEN age > 3 THEN 'old' ELSE 'young' END");
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(AddDerivedColumn(&frame, "band", *e).ok());
  auto p = FeaturePipeline::Fit(frame, kAll, kInputs, {{"band", e->text()}}, {"age", "band"}, {}, CategoricalEncoding::kNative);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->features()[1].type, FeatureType::kCategorical);
  const auto old_row = EncodeRow(*p, {{"age", 9}});
  const auto young_row = EncodeRow(*p, {{"age", 1}});
  const auto& categories = p->features()[1].categories;
  EXPECT_EQ(categories[static_cast<size_t>(old_row[1])], "old");
  EXPECT_EQ(categories[static_cast<size_t>(young_row[1])], "young");
}

TEST(FeaturePipeline, JsonRoundTripIsExact) {
  const FeaturePipeline p = Fit(SmallFrame(), {Override("age", MissingStrategy::kMean)});
  const nlohmann::json first = p.ToJson();
  auto loaded = FeaturePipeline::FromJson(nlohmann::json::parse(first.dump()));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->ToJson().dump(), first.dump());
  EXPECT_EQ(EncodeRow(*loaded, {{"job", "b"}}), EncodeRow(p, {{"job", "b"}}));
}

TEST(FeaturePipeline, BadRowsNameTheField) {
  const FeaturePipeline p = Fit(SmallFrame(), {});
  std::vector<float> out(p.width());
  Status status = p.EncodeRow({{"age", "old"}}, out.data());
  EXPECT_NE(status.message().find("field 'age': [old] is not a number"), std::string::npos) << status.ToString();
  status = p.EncodeRow(nlohmann::json::array(), out.data());
  EXPECT_NE(status.message().find("must be a JSON object"), std::string::npos);
  // Numbers given as text are read as numbers.
  EXPECT_EQ(EncodeRow(p, {{"age", "4"}})[0], 4.0f);
}

TEST(FeaturePipeline, UnknownNamesListTheValidOnes) {
  auto strategy = ParseMissingStrategy("average");
  ASSERT_FALSE(strategy.ok());
  EXPECT_NE(strategy.status().message().find("valid: native, mean, median, mode, constant"), std::string::npos);
  EXPECT_FALSE(ParseUnseenPolicy("ignore").ok());
  EXPECT_FALSE(ParseFeatureType("text").ok());
}

}  // namespace
}  // namespace refinery::ml
