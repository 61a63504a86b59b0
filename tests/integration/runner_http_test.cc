// HTTP to actors through the real engine's gateway: /gateway/{actor id}/... reaches the actor's
// OnFetch on the tether runner and its response comes back to the client.
#include <chrono>
#include <future>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/engine_environment.h"
#include "harness/http_client.h"
#include "runner_test_support.h"

namespace tether::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::string Header(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    std::string lower = key;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == name) return value;
  }
  return "(missing)";
}

class RunnerHttp : public RunningActorTest {
 protected:
  absl::StatusOr<HttpResponse> Send(const std::string& method, const std::string& path, const std::string& body = {},
                                    const HttpHeaders& headers = {}) {
    return HttpRequest(method, EngineEnvironment::engine().endpoint() + "/gateway/" + id_ + path, body, headers,
                       60s);
  }
};

std::string BinaryBody(std::size_t size) {
  std::string body(size, '\0');
  for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<char>((i * 131 + 7) % 256);
  return body;
}

TEST_F(RunnerHttp, GetReachesTheActorWithPathQueryAndHeaders) {
  auto response = Send("GET", "/echo?x=1&y=two", {}, {{"X-Test", "header value"}});
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(Header(*response, "x-method"), "GET");
  EXPECT_EQ(Header(*response, "x-path"), "/echo?x=1&y=two");
  EXPECT_EQ(Header(*response, "x-test-echo"), "header value");
}

TEST_F(RunnerHttp, PostBinaryBodiesRoundTrip) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{70000}, std::size_t{8} << 20}) {
    const std::string body = BinaryBody(size);
    auto response = Send("POST", "/echo", body, {{"Content-Type", "application/octet-stream"}});
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200) << size;
    EXPECT_EQ(response->body.size(), size);
    EXPECT_TRUE(response->body == body) << "body of " << size << " bytes changed on the way";
  }
}

TEST_F(RunnerHttp, HundredConcurrentRequestsAllAnswered) {
  std::vector<std::future<absl::StatusOr<HttpResponse>>> pending;
  for (int i = 0; i < 100; ++i) {
    pending.push_back(std::async(std::launch::async, [this, i] {
      return Send("POST", "/echo?i=" + std::to_string(i), "request " + std::to_string(i));
    }));
  }
  for (int i = 0; i < 100; ++i) {
    auto response = pending[static_cast<std::size_t>(i)].get();
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "request " + std::to_string(i));
  }
}

TEST_F(RunnerHttp, HandlerExceptionAnswers500AndTheActorKeepsServing) {
  auto failed = Send("GET", "/throw");
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->status, 500);
  auto next = Send("GET", "/echo");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->status, 200);
}

TEST_F(RunnerHttp, UnknownPathGetsTheDefault404) {
  auto response = Send("GET", "/nothing-here");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 404);
  EXPECT_THAT(response->body, HasSubstr("does not serve HTTP"));
}

TEST_F(RunnerHttp, BodyOverTheLimitIsRefusedAndTheActorKeepsServing) {
  auto response = Send("POST", "/echo", std::string((std::size_t{20} << 20) + 1, 'x'));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 413);
  auto next = Send("GET", "/echo");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->status, 200);
}

}  // namespace
}  // namespace tether::testing
