#include "ml/params.h"

#include <gtest/gtest.h>

namespace refinery::ml {
namespace {

TEST(Params, DefaultsComeFromTheTable) {
  auto params = ResolveParams({});
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->at("booster"), "gbtree");
  EXPECT_EQ(params->at("rounds"), "100");
  EXPECT_EQ(params->count("threshold"), 0u);  // unset by default
}

TEST(Params, UnknownParameterListsTheValidOnes) {
  auto params = ResolveParams({{"depth", "3"}});
  ASSERT_FALSE(params.ok());
  EXPECT_EQ(params.status().error_code(), kBadSpecCode);
  EXPECT_NE(params.status().message().find("unknown parameter 'depth'; valid parameters: booster, rounds, max_depth"),
            std::string::npos);
}

TEST(Params, OutOfRangeValuesNameTheBounds) {
  struct Case {
    const char* name;
    const char* value;
    const char* message;
  } cases[] = {
      {"max_depth", "0", "expected an integer in 1..64"},
      {"max_depth", "2.5", "expected an integer in 1..64"},
      {"eta", "3", "[3] is out of range"},
      {"holdout", "abc", "expected 0.01..0.9"},
      {"booster", "dart", "expected gbtree|gblinear|forest"},
  };
  for (const Case& c : cases) {
    auto params = ResolveParams({{c.name, c.value}});
    ASSERT_FALSE(params.ok()) << c.name;
    EXPECT_NE(params.status().message().find(c.message), std::string::npos) << params.status().message();
  }
  EXPECT_TRUE(ResolveParams({{"eta", "0.05"}, {"max_depth", "4"}, {"booster", "forest"}}).ok());
}

}  // namespace
}  // namespace refinery::ml
