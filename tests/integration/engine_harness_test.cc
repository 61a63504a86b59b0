// Checks the local-engine harness against the real rivet-engine binary: startup, REST access,
// restart and crash recovery on the same data directory, auth, and config errors.

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "harness/engine_environment.h"
#include "harness/http_client.h"
#include "harness/local_engine.h"
#include "harness/rest.h"

namespace tether::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string CurrentTestName() {
  return ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

// Whether GET /namespaces?name=<name> lists the namespace.
bool NamespaceIsListed(const LocalEngine& engine, const std::string& name) {
  absl::StatusOr<nlohmann::json> listed =
      HttpGetJson(engine.endpoint() + "/namespaces?name=" + name, AdminHeaders(engine));
  EXPECT_TRUE(listed.ok()) << listed.status();
  if (!listed.ok()) return false;
  for (const nlohmann::json& entry : listed->value("namespaces", nlohmann::json::array())) {
    if (entry.value("name", "") == name) return true;
  }
  return false;
}

absl::StatusOr<std::unique_ptr<LocalEngine>> StartWithExtraConfig(std::string extra) {
  LocalEngineOptions options;
  options.extra_config_json = std::move(extra);
  return LocalEngine::Start(std::move(options));
}

// Sets an environment variable for one scope and restores the previous value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = ::getenv(name); old != nullptr) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_.has_value()) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(EngineHarnessTest, HealthReportsPinnedVersion) {
  absl::StatusOr<std::string> body = EngineEnvironment::engine().Health();
  ASSERT_TRUE(body.ok()) << body.status();
  const nlohmann::json health = nlohmann::json::parse(*body, nullptr, false);
  EXPECT_EQ(health.value("status", ""), "ok") << *body;
  EXPECT_EQ(health.value("runtime", ""), "engine") << *body;
  EXPECT_EQ(health.value("version", ""), kPinnedEngineVersion) << *body;
}

TEST(EngineHarnessTest, EndpointIsTheGuardPortOnLoopback) {
  const LocalEngine& engine = EngineEnvironment::engine();
  EXPECT_EQ(engine.endpoint(), "http://127.0.0.1:" + std::to_string(engine.guard_port()));
  EXPECT_NE(engine.guard_port(), engine.api_peer_port());
  EXPECT_NE(engine.guard_port(), engine.metrics_port());
  EXPECT_NE(engine.api_peer_port(), engine.metrics_port());
  EXPECT_TRUE(engine.running());
}

TEST(EngineHarnessTest, CreatedNamespaceIsListed) {
  const LocalEngine& engine = EngineEnvironment::engine();
  absl::StatusOr<std::string> name = CreateNamespace(engine, CurrentTestName());
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_THAT(*name, HasSubstr("creatednamespaceislisted-"));
  EXPECT_TRUE(NamespaceIsListed(engine, *name));
  EXPECT_FALSE(NamespaceIsListed(engine, *name + "-missing"));
}

TEST(EngineHarnessTest, RestartKeepsNamespaceAndEndpoint) {
  LocalEngine& engine = EngineEnvironment::engine();
  absl::StatusOr<std::string> name = CreateNamespace(engine, CurrentTestName());
  ASSERT_TRUE(name.ok()) << name.status();
  const std::string endpoint = engine.endpoint();
  const pid_t old_pid = engine.pid();

  ASSERT_TRUE(engine.Restart().ok());

  EXPECT_EQ(engine.endpoint(), endpoint);
  EXPECT_NE(engine.pid(), old_pid);
  EXPECT_TRUE(engine.running());
  EXPECT_TRUE(NamespaceIsListed(engine, *name));
}

TEST(EngineHarnessTest, KillThenRestartKeepsNamespace) {
  LocalEngine& engine = EngineEnvironment::engine();
  absl::StatusOr<std::string> name = CreateNamespace(engine, CurrentTestName());
  ASSERT_TRUE(name.ok()) << name.status();

  ASSERT_TRUE(engine.Kill().ok());
  EXPECT_FALSE(engine.running());
  EXPECT_EQ(engine.pid(), -1);
  EXPECT_FALSE(engine.Health().ok());
  EXPECT_TRUE(engine.Stop().ok()) << "Stop after Kill must be a no-op";

  absl::Status restarted = engine.Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;
  EXPECT_TRUE(NamespaceIsListed(engine, *name));
}

TEST(EngineHarnessTest, EngineRunsWithoutRustBacktraceAndWithHomeInDataDir) {
  ScopedEnv backtrace("RUST_BACKTRACE", "1");
  absl::StatusOr<std::unique_ptr<LocalEngine>> engine = LocalEngine::Start({});
  ASSERT_TRUE(engine.ok()) << engine.status();

  std::ifstream file("/proc/" + std::to_string((*engine)->pid()) + "/environ", std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  const std::string environ_block = contents.str();
  ASSERT_FALSE(environ_block.empty());
  const std::string with_separators = std::string(1, '\0') + environ_block;
  EXPECT_THAT(with_separators, Not(HasSubstr(std::string(1, '\0') + "RUST_BACKTRACE=")));
  EXPECT_THAT(with_separators,
              HasSubstr(std::string(1, '\0') + "HOME=" + (*engine)->data_dir() + '\0'));
}

TEST(EngineHarnessTest, AdminTokenGuardsRestApi) {
  LocalEngineOptions options;
  options.admin_token = "harness-secret";
  absl::StatusOr<std::unique_ptr<LocalEngine>> started = LocalEngine::Start(std::move(options));
  ASSERT_TRUE(started.ok()) << started.status();
  const LocalEngine& engine = **started;
  const std::string namespaces = engine.endpoint() + "/namespaces";

  absl::StatusOr<HttpResponse> anonymous = HttpRequest("GET", namespaces);
  ASSERT_TRUE(anonymous.ok()) << anonymous.status();
  EXPECT_FALSE(anonymous->status >= 200 && anonymous->status < 300);
  EXPECT_EQ(anonymous->status, 403) << anonymous->body;
  EXPECT_THAT(anonymous->body, HasSubstr("forbidden"));

  absl::StatusOr<HttpResponse> wrong =
      HttpRequest("GET", namespaces, {}, {{"Authorization", "Bearer wrong"}});
  ASSERT_TRUE(wrong.ok()) << wrong.status();
  EXPECT_EQ(wrong->status, 403) << wrong->body;

  absl::StatusOr<HttpResponse> authorized =
      HttpRequest("GET", namespaces, {}, {{"Authorization", "Bearer harness-secret"}});
  ASSERT_TRUE(authorized.ok()) << authorized.status();
  EXPECT_EQ(authorized->status, 200) << authorized->body;

  EXPECT_TRUE(engine.Health().ok()) << "health needs no token";
  absl::StatusOr<std::string> name = CreateNamespace(engine, CurrentTestName());
  EXPECT_TRUE(name.ok()) << name.status();
}

TEST(EngineHarnessTest, MissingBinaryNamesPathAndSetupScript) {
  LocalEngineOptions options;
  options.binary = "/nonexistent/tether/rivet-engine";
  absl::StatusOr<std::unique_ptr<LocalEngine>> engine = LocalEngine::Start(std::move(options));
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(engine.status().message()),
              HasSubstr("/nonexistent/tether/rivet-engine"));
  EXPECT_THAT(std::string(engine.status().message()), HasSubstr("scripts/setup.sh"));
}

TEST(EngineHarnessTest, EnvironmentVariableOverridesDefaultBinary) {
  ScopedEnv binary("TETHER_ENGINE_BINARY", "/nonexistent/from-env/rivet-engine");
  absl::StatusOr<std::unique_ptr<LocalEngine>> engine = LocalEngine::Start({});
  ASSERT_FALSE(engine.ok());
  EXPECT_THAT(std::string(engine.status().message()),
              HasSubstr("/nonexistent/from-env/rivet-engine"));
}

TEST(EngineHarnessTest, ExtraConfigReachesTheEngine) {
  absl::StatusOr<std::unique_ptr<LocalEngine>> engine = StartWithExtraConfig(
      R"({"pegboard": {"runner_lost_threshold": 4321}, "guard": {"actor_ready_timeout_ms": 8765}})");
  ASSERT_TRUE(engine.ok()) << engine.status();
  // The engine logs the config it loaded at startup; the merged keys sit next to the pinned ones.
  absl::StatusOr<std::string> log = (*engine)->ReadLog();
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_THAT(*log, HasSubstr("runner_lost_threshold: Some(4321)"));
  EXPECT_THAT(*log, HasSubstr("actor_ready_timeout_ms: Some(8765)"));
  EXPECT_THAT(*log, HasSubstr("port: Some(" + std::to_string((*engine)->guard_port()) + ")"));
}

TEST(EngineHarnessTest, ConfigRejectedByEngineReportsLogTail) {
  absl::StatusOr<std::unique_ptr<LocalEngine>> engine =
      StartWithExtraConfig(R"({"pegboard": {"no_such_setting": 1}})");
  ASSERT_FALSE(engine.ok());
  EXPECT_THAT(std::string(engine.status().message()), HasSubstr("exited during startup"));
  EXPECT_THAT(std::string(engine.status().message()), HasSubstr("unknown field `no_such_setting`"));
}

TEST(EngineHarnessTest, MalformedExtraConfigIsInvalidArgument) {
  for (const char* extra : {"{not json", "[1, 2]", "42"}) {
    absl::StatusOr<std::unique_ptr<LocalEngine>> engine = StartWithExtraConfig(extra);
    ASSERT_FALSE(engine.ok()) << extra;
    EXPECT_EQ(engine.status().code(), absl::StatusCode::kInvalidArgument) << engine.status();
    EXPECT_THAT(std::string(engine.status().message()), HasSubstr("extra_config_json"));
  }
}

TEST(EngineHarnessTest, ExtraConfigCannotMoveTheEngine) {
  absl::StatusOr<std::unique_ptr<LocalEngine>> engine =
      StartWithExtraConfig(R"({"guard": {"port": 1}})");
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(engine.status().message()), HasSubstr("/guard/port"));
}

TEST(EngineHarnessTest, StopIsIdempotentAndTempDirIsRemoved) {
  absl::StatusOr<std::unique_ptr<LocalEngine>> engine = LocalEngine::Start({});
  ASSERT_TRUE(engine.ok()) << engine.status();
  const std::string data_dir = (*engine)->data_dir();
  EXPECT_TRUE(fs::exists(fs::path(data_dir) / "engine.log"));

  EXPECT_TRUE((*engine)->Stop().ok());
  EXPECT_FALSE((*engine)->running());
  EXPECT_TRUE((*engine)->Stop().ok());
  EXPECT_FALSE((*engine)->Health().ok());
  engine->reset();
  EXPECT_FALSE(fs::exists(data_dir));
}

TEST(EngineHarnessTest, GivenDataDirKeepsStateAcrossEngines) {
  const fs::path data_dir =
      fs::path(::testing::TempDir()) / ("tether-" + CurrentTestName() + std::to_string(::getpid()));
  std::string name;
  {
    LocalEngineOptions options;
    options.data_dir = data_dir.string();
    absl::StatusOr<std::unique_ptr<LocalEngine>> first = LocalEngine::Start(std::move(options));
    ASSERT_TRUE(first.ok()) << first.status();
    absl::StatusOr<std::string> created = CreateNamespace(**first, CurrentTestName());
    ASSERT_TRUE(created.ok()) << created.status();
    name = *created;
  }
  ASSERT_TRUE(fs::exists(data_dir));
  LocalEngineOptions options;
  options.data_dir = data_dir.string();
  absl::StatusOr<std::unique_ptr<LocalEngine>> second = LocalEngine::Start(std::move(options));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(NamespaceIsListed(**second, name));
  second->reset();
  fs::remove_all(data_dir);
}

TEST(EngineHarnessTest, HttpErrorsNameStatusAndBody) {
  const LocalEngine& engine = EngineEnvironment::engine();
  absl::StatusOr<nlohmann::json> invalid = HttpJson("POST", engine.endpoint() + "/namespaces",
                                                    {{"name", "Not_Valid"}, {"display_name", "x"}});
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(invalid.status().message()), HasSubstr("HTTP 400"));
  EXPECT_THAT(std::string(invalid.status().message()), HasSubstr("invalid name"));

  absl::StatusOr<HttpResponse> refused = HttpRequest("GET", "http://127.0.0.1:1/health");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  EXPECT_EQ(HttpRequest("GET", "https://127.0.0.1/").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tether::testing
