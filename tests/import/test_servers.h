// Real PostgreSQL and MariaDB servers for integration tests: each lives in a
// temporary directory, listens on 127.0.0.1 at a free port (and a unix
// socket), and is stopped by its pid. Start() says why it could not start;
// Available() is false only when the server binaries are not installed.
#pragma once

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "data/sql_source.h"
#include "support/free_port.h"

namespace refinery::testing {

namespace stdfs = std::filesystem;

// Runs argv as `user` (when root and user is not empty), output to `log`.
// Returns the child's pid, or -1.
inline pid_t Spawn(const std::vector<std::string>& argv, const std::string& user, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (out >= 0) {
    ::dup2(out, 1);
    ::dup2(out, 2);
  }
  if (!user.empty() && ::getuid() == 0) {
    const passwd* entry = ::getpwnam(user.c_str());
    if (entry == nullptr || ::setgroups(0, nullptr) != 0 || ::setgid(entry->pw_gid) != 0 ||
        ::setuid(entry->pw_uid) != 0) {
      ::_exit(126);
    }
  }
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

inline int RunToEnd(const std::vector<std::string>& argv, const std::string& user, const std::string& log) {
  const pid_t pid = Spawn(argv, user, log);
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The last lines of a server log, so a failure in CI explains itself after
// the temporary directory is gone.
inline std::string LogTail(const std::string& log) {
  FILE* in = std::fopen(log.c_str(), "r");
  if (in == nullptr) return "(no log)";
  std::string text;
  char buffer[4096];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof(buffer), in)) > 0) text.append(buffer, got);
  std::fclose(in);
  constexpr size_t kTail = 2000;
  return text.size() > kTail ? "..." + text.substr(text.size() - kTail) : text;
}

inline std::string FirstExisting(const std::vector<std::string>& candidates) {
  for (const std::string& path : candidates) {
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

inline std::string PostgresBin(const std::string& name) {
  std::vector<std::string> candidates;
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator("/usr/lib/postgresql", ec)) {
    candidates.push_back((entry.path() / "bin" / name).string());
  }
  return FirstExisting(candidates);
}

class TestServer {
 public:
  virtual ~TestServer() { Stop(); }
  virtual bool Available() const = 0;
  virtual std::string Start() = 0;  // "" = running
  // A URL and credentials for the test user on its test database.
  virtual std::string Url() const = 0;
  // The server's administrator on the test database.
  virtual data::ConnectionSpec AdminSpec() const = 0;
  std::string user() const { return "refinery"; }
  std::string password() const { return "s3cret-Pw!"; }
  int port() const { return port_; }

  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 300 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    std::error_code ec;
    stdfs::remove_all(dir_, ec);
  }

 protected:
  std::string MakeDir(const std::string& tag) {
    std::string pattern = "/tmp/refinery-" + tag + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) return "";
    dir_ = pattern;
    return dir_;
  }

  // Waits until `spec` connects; "" or the last error.
  std::string WaitReady(const data::ConnectionSpec& spec) {
    std::string last;
    for (int i = 0; i < 300; ++i) {
      auto connection = data::Connect(spec);
      if (connection.ok()) return "";
      last = connection.status().ToString();
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "the server exited: " + last + "\n" + LogTail(dir_ + "/server.log");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "the server did not accept connections within 30 s: " + last;
  }

  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

class PostgresServer : public TestServer {
 public:
  bool Available() const override { return !PostgresBin("initdb").empty() && !PostgresBin("postgres").empty(); }

  std::string Start() override {
    const std::string dir = MakeDir("pg");
    if (dir.empty()) return "mkdtemp failed";
    const passwd* postgres = ::getpwnam("postgres");
    const std::string run_as = ::getuid() == 0 ? "postgres" : "";
    if (::getuid() == 0 && (postgres == nullptr || ::chown(dir.c_str(), postgres->pw_uid, postgres->pw_gid) != 0)) {
      return "could not hand " + dir + " to the postgres user";
    }
    const std::string pwfile = dir + "/pw";
    {
      FILE* out = std::fopen(pwfile.c_str(), "w");
      std::fputs("admin-pw", out);
      std::fclose(out);
      if (postgres != nullptr && ::getuid() == 0) ::chown(pwfile.c_str(), postgres->pw_uid, postgres->pw_gid);
    }
    const std::string log = dir + "/server.log";
    if (RunToEnd({PostgresBin("initdb"), "-D", dir + "/data", "-U", "postgres", "--pwfile=" + pwfile,
                  "--auth=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C"},
                 run_as, log) != 0) {
      return "initdb failed: " + LogTail(log);
    }
    port_ = FreeLoopbackPort();
    pid_ = Spawn({PostgresBin("postgres"), "-D", dir + "/data", "-p", std::to_string(port_), "-k", dir, "-c",
                  "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=50"},
                 run_as, log);
    data::ConnectionSpec admin{"jdbc:postgresql://127.0.0.1:" + std::to_string(port_) + "/postgres", "postgres",
                               "admin-pw", 5};
    const std::string waited = WaitReady(admin);
    if (!waited.empty()) return waited;
    auto connection = data::Connect(admin);
    if (!connection.ok()) return connection.status().ToString();
    for (const std::string& sql : std::vector<std::string>{
             "CREATE USER " + user() + " PASSWORD '" + password() + "'", "CREATE DATABASE refinery_test OWNER " + user()}) {
      auto done = (*connection)->Execute(sql);
      if (!done.ok()) return done.status().ToString();
    }
    return "";
  }

  std::string Url() const override {
    return "jdbc:postgresql://127.0.0.1:" + std::to_string(port_) + "/refinery_test?sslmode=disable";
  }

  data::ConnectionSpec AdminSpec() const override {
    return {"jdbc:postgresql://127.0.0.1:" + std::to_string(port_) + "/refinery_test", "postgres", "admin-pw", 5};
  }
};

class MariaDbServer : public TestServer {
 public:
  bool Available() const override {
    return !FirstExisting({"/usr/sbin/mariadbd", "/usr/bin/mariadbd"}).empty() &&
           !FirstExisting({"/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db"}).empty();
  }

  // mariadb-install-db fails now and then on a loaded machine (it bootstraps
  // a server of its own); one more try in a fresh directory rides that out.
  std::string Start() override {
    std::string error = StartOnce();
    if (error.empty() || pid_ > 0) return error;
    std::error_code ec;
    stdfs::remove_all(dir_, ec);
    return StartOnce();
  }

  std::string Url() const override {
    return "jdbc:mysql://127.0.0.1:" + std::to_string(port_) + "/refinery_test?useSSL=false";
  }

  data::ConnectionSpec AdminSpec() const override {
    return {"jdbc:mysql://localhost/refinery_test?socket=" + socket_, "root", "", 5};
  }

 private:
  std::string StartOnce() {
    const std::string dir = MakeDir("mariadb");
    if (dir.empty()) return "mkdtemp failed";
    const std::string log = dir + "/server.log";
    const std::string install = FirstExisting({"/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db"});
    const std::string user_flag = "--user=" + std::string(::getuid() == 0 ? "root" : ::getpwuid(::getuid())->pw_name);
    if (RunToEnd({install, "--no-defaults", "--datadir=" + dir + "/data", user_flag,
                  "--auth-root-authentication-method=normal", "--skip-test-db", "--innodb-use-native-aio=0"},
                 "", log) != 0) {
      return "mariadb-install-db failed: " + LogTail(log);
    }
    port_ = FreeLoopbackPort();
    socket_ = dir + "/mysqld.sock";
    pid_ = Spawn({FirstExisting({"/usr/sbin/mariadbd", "/usr/bin/mariadbd"}), "--no-defaults", "--datadir=" + dir + "/data",
                  "--socket=" + socket_, "--port=" + std::to_string(port_), "--bind-address=127.0.0.1", user_flag,
                  "--pid-file=" + dir + "/mariadbd.pid", "--skip-log-bin", "--innodb-flush-log-at-trx-commit=0",
                  "--innodb-buffer-pool-size=64M", "--innodb-use-native-aio=0"},
                 "", log);
    data::ConnectionSpec admin{"jdbc:mysql://localhost/?socket=" + socket_, "root", "", 5};
    const std::string waited = WaitReady(admin);
    if (!waited.empty()) return waited;
    auto connection = data::Connect(admin);
    if (!connection.ok()) return connection.status().ToString();
    for (const std::string& sql : std::vector<std::string>{
             "CREATE DATABASE refinery_test CHARACTER SET utf8mb4",
          "CREATE USER '" + user() + "'@'127.0.0.1' IDENTIFIED BY '" + password() + "'",
          "GRANT ALL ON refinery_test.* TO '" + user() + "'@'127.0.0.1'"}) {
      auto done = (*connection)->Execute(sql);
      if (!done.ok()) return done.status().ToString();
    }
    return "";
  }

 private:
  std::string socket_;
};

}  // namespace refinery::testing
