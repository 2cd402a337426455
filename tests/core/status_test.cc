#include "core/status.h"

#include <gtest/gtest.h>

namespace refinery {
namespace {

TEST(Status, DefaultIsOkAndRendersOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kOk);
  EXPECT_EQ(status.ToString(), "OK");
}

TEST(Status, RendersCodeNameWhenNoErrorCode) {
  EXPECT_EQ(Status::InvalidArgument("bad value").ToString(), "InvalidArgument: bad value");
  EXPECT_EQ(Status::NotFound("no such file").ToString(), "NotFound: no such file");
  EXPECT_EQ(Status::IoError("disk full").ToString(), "IOError: disk full");
  EXPECT_EQ(Status::Internal("bug").ToString(), "Internal: bug");
}

TEST(Status, RendersOozieErrorCodeInsteadOfCodeName) {
  const Status status = Status::NotFound("Job does not exist [0000001-x-W]", "E0604");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.error_code(), "E0604");
  EXPECT_EQ(status.ToString(), "E0604: Job does not exist [0000001-x-W]");
}

TEST(Status, WithContextPrefixesMessageAndKeepsCodes) {
  const Status status = Status::InvalidArgument("unknown node [x]", "E0708").WithContext("workflow.xml:12");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.error_code(), "E0708");
  EXPECT_EQ(status.message(), "workflow.xml:12: unknown node [x]");
  EXPECT_EQ(status.ToString(), "E0708: workflow.xml:12: unknown node [x]");
}

TEST(Status, WithContextWithoutErrorCodeUsesCodeName) {
  EXPECT_EQ(Status::IoError("no space left").WithContext("state.db").ToString(), "IOError: state.db: no space left");
}

TEST(Status, WithContextLeavesOkAndEmptyContextUnchanged) {
  EXPECT_TRUE(Status::Ok().WithContext("anywhere").ok());
  EXPECT_EQ(Status::Ok().WithContext("anywhere").message(), "");
  EXPECT_EQ(Status::Cancelled("killed").WithContext("").ToString(), "Cancelled: killed");
}

TEST(Status, EveryCodeHasAName) {
  const StatusCode codes[] = {StatusCode::kOk,          StatusCode::kInvalidArgument, StatusCode::kNotFound,
                              StatusCode::kAlreadyExists, StatusCode::kFailedPrecondition,
                              StatusCode::kIoError,     StatusCode::kUnsupported,     StatusCode::kCancelled,
                              StatusCode::kInternal};
  for (StatusCode code : codes) EXPECT_STRNE(StatusCodeName(code), "Unknown");
}

TEST(Result, HoldsValue) {
  const Result<std::string> value(std::string("42"));
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "42");
  EXPECT_TRUE(value.status().ok());
}

TEST(Result, HoldsStatus) {
  const Result<std::string> error(Status::NotFound("gone"));
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().ToString(), "NotFound: gone");
}

Result<int> Half(int n) {
  if (n % 2 != 0) return Status::InvalidArgument("odd");
  return n / 2;
}

Result<int> Quarter(int n) {
  REFINERY_ASSIGN_OR_RETURN(int half, Half(n));
  return Half(half);
}

TEST(Result, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "odd");
  EXPECT_EQ(Quarter(3).status().message(), "odd");
}

}  // namespace
}  // namespace refinery
