// The store backends the behaviour tests run against, by name: "sqlite" (a
// file in a temporary directory) and "postgresql" (a fresh database on a
// server the test binary starts once). Each test binary links one
// implementation: store_test the SQLite one, store_postgres_test the
// PostgreSQL one, so CI's unit run needs no server.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.h"

namespace refinery::store::testing {

// The backends this binary tests, for INSTANTIATE_TEST_SUITE_P.
std::vector<std::string> TestedBackends();

// The location of a new, empty store on `backend`: a file path or a
// postgresql:// URL with the password in it. "" (and a test failure saying
// why) when the backend cannot provide one, e.g. the server did not start.
std::string NewStoreLocation(const std::string& backend);

inline std::unique_ptr<Store> OpenLocationOrDie(const std::string& location) {
  Result<std::unique_ptr<Store>> store = OpenStore(location);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

// A test parameterized by backend name, holding one fresh store.
class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    location_ = NewStoreLocation(GetParam());
    ASSERT_FALSE(location_.empty());
    store_ = OpenLocationOrDie(location_);
    ASSERT_NE(store_, nullptr);
  }

  void Reopen() {
    store_.reset();
    store_ = OpenLocationOrDie(location_);
    ASSERT_NE(store_, nullptr);
  }

  void ApplyOk(const WriteBatch& batch) {
    const Status status = store_->Apply(batch);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  // The location as messages show it (password masked).
  std::string ShownLocation() const;

  std::string location_;
  std::unique_ptr<Store> store_;
};

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

}  // namespace refinery::store::testing
