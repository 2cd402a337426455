// A real SMTP server for tests: python3-aiosmtpd on loopback, storing every
// message it accepts in a Maildir, started and stopped by pid.
#ifndef REFINERY_TESTS_ACTIONS_SMTP_SINK_H_
#define REFINERY_TESTS_ACTIONS_SMTP_SINK_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/free_port.h"

extern char** environ;

namespace refinery::testing {

// The whole of a small local file (a log), for failure messages.
inline std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline bool CanConnect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

// A real SMTP server (python3-aiosmtpd) on loopback that stores every message
// in a Maildir.
class SmtpSink {
 public:
  ~SmtpSink() { Stop(); }

  ::testing::AssertionResult Start(const std::filesystem::path& dir) {
    maildir_ = dir / "maildir";
    port_ = FreeLoopbackPort();
    const std::string listen = "127.0.0.1:" + std::to_string(port_);
    const std::string log = (dir / "smtpd.log").string();
    std::vector<std::string> args = {"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", listen,
                                     "-c", "aiosmtpd.handlers.Mailbox", maildir_.string()};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return ::testing::AssertionFailure() << "could not start /usr/bin/python3: " << rc;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (CanConnect(port_)) return ::testing::AssertionSuccess();
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return ::testing::AssertionFailure() << "aiosmtpd exited: " << ReadWhole(log);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return ::testing::AssertionFailure() << "aiosmtpd did not listen on " << listen;
  }

  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  int port() const { return port_; }

  // Paths of delivered messages, waiting up to 10 s for `count` of them.
  std::vector<std::filesystem::path> Messages(size_t count) const {
    std::vector<std::filesystem::path> found;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      found.clear();
      std::error_code ec;
      for (auto it = std::filesystem::directory_iterator(maildir_ / "new", ec); !ec && it != std::filesystem::directory_iterator();
           it.increment(ec)) {
        found.push_back(it->path());
      }
      if (found.size() >= count) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return found;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path maildir_;
};

}  // namespace refinery::testing

#endif  // REFINERY_TESTS_ACTIONS_SMTP_SINK_H_
