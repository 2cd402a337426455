#include "ml/checksum.h"

#include <gtest/gtest.h>

namespace refinery::ml {
namespace {

TEST(Sha256, MatchesTheStandardTestVectors) {
  // FIPS 180-2 examples.
  EXPECT_EQ(Sha256Of("abc"), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Of(""), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 pieces;
  const std::string million(1000000, 'a');
  for (size_t i = 0; i < million.size(); i += 1000) pieces.Update(std::string_view(million).substr(i, 1000));
  EXPECT_EQ(pieces.Finish(), "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FieldsAreLengthPrefixedSoBoundariesAndNullsCount) {
  auto fields = [](std::initializer_list<std::pair<std::string, bool>> row) {
    Sha256 hash;
    for (const auto& [text, is_null] : row) hash.UpdateField(text, is_null);
    return hash.Finish();
  };
  EXPECT_NE(fields({{"ab", false}, {"c", false}}), fields({{"a", false}, {"bc", false}}));
  EXPECT_NE(fields({{"", false}}), fields({{"", true}}));
  EXPECT_EQ(fields({{"x", false}, {"", true}}), fields({{"x", false}, {"", true}}));
  // The layout: 8-byte little-endian length, then the bytes.
  EXPECT_EQ(fields({{"abc", false}}), Sha256Of(std::string("\x03\0\0\0\0\0\0\0abc", 11)));
}

}  // namespace
}  // namespace refinery::ml
