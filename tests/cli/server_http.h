// One HTTP call to a running `refinery server` from a test, through the
// project's own client: the reply, or an empty one with a test failure.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "serve/http_client.h"

namespace refinery::cli::testing {

inline serve::HttpReply CallServer(const std::string& base, const std::string& method, const std::string& target,
                                   const std::string& body = "", const std::string& token = "") {
  auto url = serve::ParseHttpUrl(base);
  EXPECT_TRUE(url.ok()) << base;
  if (!url.ok()) return {};
  serve::HttpCall call;
  call.method = method;
  call.target = target;
  call.body = body;
  if (!token.empty()) call.headers.emplace_back("Authorization", "Bearer " + token);
  auto reply = serve::SendHttp(*url, call);
  EXPECT_TRUE(reply.ok()) << reply.status().ToString();
  return reply.ok() ? *reply : serve::HttpReply{};
}

}  // namespace refinery::cli::testing
