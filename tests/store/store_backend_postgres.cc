// store_postgres_test's backend: one PostgreSQL server per test binary (a
// temporary directory, 127.0.0.1 at a free port, stopped by its pid at exit)
// and a new database per store, so every test starts from nothing and
// migrates a fresh schema.
#include <atomic>
#include <mutex>

#include "data/sql_source.h"
#include "import/test_servers.h"
#include "store/postgres_store.h"
#include "store_backend.h"

namespace refinery::store::testing {
namespace {

class SharedServer {
 public:
  // "" when running; else why not (kept, so each test reports it).
  const std::string& Start() {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_) return error_;
    started_ = true;
    if (!server_.Available()) {
      error_ = "PostgreSQL is not installed (no initdb/postgres under /usr/lib/postgresql); install postgresql";
      return error_;
    }
    error_ = server_.Start();
    if (!error_.empty()) return error_;
    auto admin = data::Connect(server_.AdminSpec());
    if (!admin.ok()) error_ = admin.status().ToString();
    if (admin.ok()) admin_ = std::move(admin).value();
    return error_;
  }

  // A new database owned by the test user; "" and a failure if it cannot be made.
  std::string NewDatabase() {
    if (!Start().empty()) {
      ADD_FAILURE() << "the PostgreSQL test server did not start: " << error_;
      return "";
    }
    const std::string name = "store_" + std::to_string(next_++);
    std::lock_guard<std::mutex> lock(mu_);
    auto made = admin_->Execute("CREATE DATABASE " + name + " OWNER " + server_.user());
    if (!made.ok()) {
      ADD_FAILURE() << "CREATE DATABASE " << name << ": " << made.status().ToString();
      return "";
    }
    return name;
  }

  std::string Url(const std::string& database) const {
    // The test password is "s3cret-Pw!"; '!' percent-encoded as a URI wants.
    return "postgresql://" + server_.user() + ":s3cret-Pw%21@127.0.0.1:" + std::to_string(server_.port()) + "/" +
           database + "?sslmode=disable";
  }

  int port() const { return server_.port(); }

  ~SharedServer() {
    admin_.reset();
    server_.Stop();
  }

 private:
  std::mutex mu_;
  bool started_ = false;
  std::string error_;
  refinery::testing::PostgresServer server_;
  std::unique_ptr<data::SqlConnection> admin_;
  std::atomic<int> next_{0};
};

SharedServer& Server() {
  static SharedServer server;  // stopped at exit
  return server;
}

}  // namespace

std::vector<std::string> TestedBackends() { return {"postgresql"}; }

std::string NewStoreLocation(const std::string& backend) {
  if (backend != "postgresql") {
    ADD_FAILURE() << "store_postgres_test has no backend [" << backend << "]";
    return "";
  }
  const std::string database = Server().NewDatabase();
  return database.empty() ? "" : Server().Url(database);
}

std::string PostgresUrl(const std::string& database) {
  if (!Server().Start().empty()) ADD_FAILURE() << "the PostgreSQL test server did not start: " << Server().Start();
  return Server().Url(database);
}

int PostgresPort() { return Server().port(); }

std::string BackendTest::ShownLocation() const { return MaskPassword(location_); }

}  // namespace refinery::store::testing
