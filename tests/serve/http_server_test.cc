// The HTTP layer over real loopback sockets: routing values, keep-alive,
// limits and malformed input.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "serve/http_client.h"
#include "serve/http_server.h"

namespace refinery::serve {
namespace {

using ::testing::HasSubstr;

HttpResponse Echo(const HttpRequest& request) {
  if (request.path == "/throw") throw std::runtime_error("boom");
  HttpResponse response;
  response.content_type = "text/plain";
  response.body = request.method + " " + request.path + " x=" + request.Query("x") + " h=" + request.Header("x-h") +
                  " body=" + std::to_string(request.body.size());
  return response;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.port = 0;
    options.max_body_bytes = 1024;
    options.max_header_bytes = 2048;
    auto server = HttpServer::Start(options, Echo);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    url_.host = "127.0.0.1";
    url_.port = std::to_string(server_->port());
  }

  // Sends raw bytes on one connection and reads until the server closes it
  // (every exchange here ends with a close), or 10 s pass.
  std::string Raw(const std::string& bytes) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(server_->port()));
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    std::string received;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof(buffer))) > 0;) received.append(buffer, static_cast<size_t>(n));
    ::close(fd);
    return received;
  }

  std::unique_ptr<HttpServer> server_;
  HttpUrl url_;
};

TEST_F(HttpServerTest, DecodesPathQueryAndHeaders) {
  HttpCall call;
  call.target = "/a%20b/c?x=1%2B2+3&y";
  call.headers = {{"X-H", "v"}};
  auto reply = SendHttp(url_, call);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "GET /a b/c x=1+2 3 h=v body=0");
}

TEST_F(HttpServerTest, KeepsTheConnectionAliveAcrossRequests) {
  const std::string one = "GET /first HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string two = "GET /second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const std::string received = Raw(one + two);
  EXPECT_THAT(received, HasSubstr("GET /first"));
  EXPECT_THAT(received, HasSubstr("GET /second"));
}

TEST_F(HttpServerTest, RefusesABodyOverTheLimitWith413) {
  HttpCall call;
  call.method = "POST";
  call.target = "/upload";
  call.body = std::string(4096, 'x');
  auto reply = SendHttp(url_, call);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 413);
  EXPECT_THAT(reply->body, HasSubstr("\"httpStatusCode\":413"));
}

TEST_F(HttpServerTest, RefusesHeadersOverTheLimitWith431) {
  HttpCall call;
  call.headers = {{"X-Big", std::string(4096, 'y')}};
  call.target = "/";
  auto reply = SendHttp(url_, call);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 431);
}

TEST_F(HttpServerTest, AnswersGarbageWith400AndKeepsServing) {
  const std::string received = Raw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_THAT(received, HasSubstr("HTTP/1.1 400"));
  auto reply = SendHttp(url_, HttpCall{});
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 200);
}

TEST_F(HttpServerTest, BadPercentEscapeIs400) {
  HttpCall call;
  call.target = "/x?y=%zz";
  auto reply = SendHttp(url_, call);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 400);
}

TEST_F(HttpServerTest, HandlerExceptionBecomes500WithOozieErrorShape) {
  HttpCall call;
  call.target = "/throw";
  auto reply = SendHttp(url_, call);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 500);
  EXPECT_EQ(reply->Header("oozie-error-code"), "E0307");
  EXPECT_THAT(reply->body, HasSubstr("boom"));
}

TEST_F(HttpServerTest, StopClosesTheListener) {
  server_->Stop();
  auto reply = SendHttp(url_, HttpCall{});
  EXPECT_FALSE(reply.ok());
}

TEST(HttpServerStartTest, PortInUseIsAClearError) {
  HttpServerOptions options;
  options.port = 0;
  auto first = HttpServer::Start(options, Echo);
  ASSERT_TRUE(first.ok());
  options.port = (*first)->port();
  auto second = HttpServer::Start(options, Echo);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("--port"));
}

TEST(HttpUrlTest, ParsesHostPortAndBasePath) {
  auto url = ParseHttpUrl("http://127.0.0.1:11000/oozie/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, "11000");
  EXPECT_EQ(url->base_path, "/oozie");
  EXPECT_FALSE(ParseHttpUrl("https://x:1/oozie").ok());
  EXPECT_FALSE(ParseHttpUrl("ftp://x").ok());
  EXPECT_FALSE(ParseHttpUrl("http://x:port/").ok());
}

TEST(TargetTest, SplitsAndDecodes) {
  std::string path;
  std::map<std::string, std::string> query;
  EXPECT_TRUE(ParseTarget("/oozie/v2/job/1-W%40a?show=info&len=5&len=6", &path, &query));
  EXPECT_EQ(path, "/oozie/v2/job/1-W@a");
  EXPECT_EQ(query["show"], "info");
  EXPECT_EQ(query["len"], "6");
  EXPECT_EQ(PercentEncode("a b@c"), "a%20b%40c");
}

}  // namespace
}  // namespace refinery::serve
