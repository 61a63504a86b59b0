// The deploy commands of the `tether` binary (namespace, runner-config, actor) against the real
// engine: each test runs the binary as a child process and checks what it printed, its exit
// status, and what the engine's REST API shows afterwards.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/child_process.h"
#include "harness/engine_environment.h"
#include "harness/rest.h"

namespace tether::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `tether args...` with the RIVET_* connection variables cleared unless `env` sets them.
CliRun RunTether(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
  static int runs = 0;
  const std::string log = ::testing::TempDir() + "deploy-cli-" + std::to_string(::getpid()) + "-" +
                          std::to_string(++runs) + ".log";
  for (const char* name : {"RIVET_ENDPOINT", "RIVET_NAMESPACE", "RIVET_TOKEN"}) env.try_emplace(name, "");
  std::vector<std::string> argv = {TETHER_CLI};
  argv.insert(argv.end(), args.begin(), args.end());
  auto child = ChildProcess::Spawn(argv, env, log);
  if (!child.ok()) return {-1, std::string(child.status().message())};
  const std::optional<int> code = (*child)->WaitFor(60s);
  return {code.value_or(-1), (*child)->Log()};
}

// RunTether with --json against the shared engine (and namespace `ns` unless empty), expecting
// success; returns the parsed output.
nlohmann::json RunJson(const std::vector<std::string>& args, const std::string& ns) {
  std::vector<std::string> all = args;
  all.insert(all.end(), {"--json", "--endpoint", EngineEnvironment::engine().endpoint()});
  if (!ns.empty()) all.insert(all.end(), {"--namespace", ns});
  const CliRun run = RunTether(all);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  nlohmann::json parsed = nlohmann::json::parse(run.output, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << run.output;
  return parsed.is_discarded() ? nlohmann::json::object() : parsed;
}

std::string UniqueName(const std::string& prefix) {
  std::mt19937_64 random(std::random_device{}());
  return prefix + "-" + std::to_string(random() % 1000000000);
}

std::string NewNamespace(const std::string& prefix) {
  absl::StatusOr<std::string> ns = CreateNamespace(EngineEnvironment::engine(), prefix);
  EXPECT_TRUE(ns.ok()) << ns.status();
  return ns.value_or("default");
}

TEST(DeployCli, NamespaceCreateThenListShowsIt) {
  const std::string name = UniqueName("deploy-cli");
  const std::string endpoint = EngineEnvironment::engine().endpoint();
  const CliRun created = RunTether({"namespace", "create", name, "--display-name", "Deploy CLI", "--endpoint", endpoint});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_THAT(created.output, HasSubstr("created namespace " + name));

  const CliRun listed = RunTether({"namespace", "list", "--endpoint", endpoint});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_THAT(listed.output, HasSubstr(name));

  const nlohmann::json json = RunJson({"namespace", "list"}, "");
  ASSERT_TRUE(json.contains("namespaces")) << json;
  bool found = false;
  for (const nlohmann::json& ns : json["namespaces"]) {
    if (ns.value("name", "") != name) continue;
    found = true;
    EXPECT_EQ(ns.value("display_name", ""), "Deploy CLI");
    EXPECT_FALSE(ns.value("namespace_id", "").empty());
  }
  EXPECT_TRUE(found) << json;

  const CliRun again = RunTether({"namespace", "create", name, "--endpoint", endpoint});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.output, HasSubstr("namespace.name_not_unique"));
}

TEST(DeployCli, RunnerConfigsRoundTripNormalAndServerless) {
  const std::string ns = NewNamespace("deploy-rc");
  RunJson({"runner-config", "upsert", "plain-pool"}, ns);
  const nlohmann::json upserted =
      RunJson({"runner-config", "upsert", "sl-pool", "--serverless-url", "http://127.0.0.1:9/api/rivet",
               "--request-lifespan", "120", "--drain-grace-period", "20", "--header", "x-tenant=acme", "--header",
               "x-build=7", "--max-runners", "4", "--min-runners", "0", "--slots-per-runner", "5", "--runners-margin",
               "0", "--max-concurrent-actors", "9"},
              ns);
  EXPECT_TRUE(upserted.contains("endpoint_config_changed")) << upserted;

  const nlohmann::json listed = RunJson({"runner-config", "list"}, ns);
  const nlohmann::json& configs = listed.at("runner_configs");
  ASSERT_TRUE(configs.contains("plain-pool")) << listed;
  EXPECT_TRUE(configs["plain-pool"]["datacenters"]["default"].contains("normal")) << listed;
  const nlohmann::json& serverless = configs.at("sl-pool").at("datacenters").at("default").at("serverless");
  EXPECT_EQ(serverless["url"], "http://127.0.0.1:9/api/rivet");
  EXPECT_EQ(serverless["headers"], (nlohmann::json{{"x-tenant", "acme"}, {"x-build", "7"}}));
  EXPECT_EQ(serverless["request_lifespan"], 120);
  EXPECT_EQ(serverless["drain_grace_period"], 20);
  EXPECT_EQ(serverless["max_runners"], 4);
  EXPECT_EQ(serverless["min_runners"], 0);
  EXPECT_EQ(serverless["slots_per_runner"], 5);
  EXPECT_EQ(serverless["runners_margin"], 0);
  EXPECT_EQ(serverless["max_concurrent_actors"], 9);

  const CliRun table = RunTether(
      {"runner-config", "list", "--endpoint", EngineEnvironment::engine().endpoint(), "--namespace", ns});
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, HasSubstr("serverless"));
  EXPECT_THAT(table.output, HasSubstr("http://127.0.0.1:9/api/rivet"));

  RunJson({"runner-config", "delete", "sl-pool"}, ns);
  const auto after = HttpGetJson(EngineEnvironment::engine().endpoint() + "/runner-configs?namespace=" + ns);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_FALSE(after->at("runner_configs").contains("sl-pool")) << *after;
  EXPECT_TRUE(after->at("runner_configs").contains("plain-pool")) << *after;
}

TEST(DeployCli, EngineValidationErrorsArePrinted) {
  const std::string ns = NewNamespace("deploy-invalid");
  // The engine's default drain_grace_period (1800 s) is not below this lifespan.
  const CliRun run = RunTether({"runner-config", "upsert", "sl-pool", "--serverless-url", "http://127.0.0.1:9/",
                                "--request-lifespan", "30", "--endpoint", EngineEnvironment::engine().endpoint(),
                                "--namespace", ns});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("runner_config.invalid"));
  EXPECT_THAT(run.output, HasSubstr("drain_grace_period"));
}

TEST(DeployCli, ActorCreateGetListDestroy) {
  const std::string ns = NewNamespace("deploy-actor");
  RunJson({"runner-config", "upsert", "deploy-pool"}, ns);
  const std::string input_file = ::testing::TempDir() + "deploy-cli-input.json";
  std::ofstream(input_file) << R"({"from":"file"})";

  const nlohmann::json created = RunJson({"actor", "create", "counter", "--key", "tenant-1", "--input", "@" + input_file,
                                          "--crash-policy", "destroy", "--runner-name", "deploy-pool"},
                                         ns);
  const std::string id = created.at("actor").value("actor_id", "");
  ASSERT_FALSE(id.empty()) << created;
  EXPECT_EQ(created["actor"]["crash_policy"], "destroy");
  EXPECT_EQ(created["actor"]["runner_name_selector"], "deploy-pool");

  const nlohmann::json got = RunJson({"actor", "get", id}, ns);
  EXPECT_EQ(got.at("actor").value("actor_id", ""), id);
  EXPECT_EQ(got["actor"]["name"], "counter");
  EXPECT_EQ(got["actor"]["key"], "tenant-1");

  const nlohmann::json by_key = RunJson({"actor", "list", "--name", "counter", "--key", "tenant-1"}, ns);
  ASSERT_EQ(by_key.at("actors").size(), 1u) << by_key;
  EXPECT_EQ(by_key["actors"][0]["actor_id"], id);
  const CliRun table = RunTether({"actor", "list", "--endpoint", EngineEnvironment::engine().endpoint(), "--namespace", ns});
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, HasSubstr(id));
  EXPECT_THAT(table.output, HasSubstr("tenant-1"));

  RunJson({"actor", "destroy", id}, ns);
  const absl::StatusOr<nlohmann::json> engine_view = GetActor(EngineEnvironment::engine(), ns, id);
  ASSERT_TRUE(engine_view.ok()) << engine_view.status();
  EXPECT_FALSE(engine_view->at("destroy_ts").is_null()) << *engine_view;
  EXPECT_TRUE(RunJson({"actor", "list"}, ns).at("actors").empty());
  EXPECT_EQ(RunJson({"actor", "list", "--include-destroyed"}, ns).at("actors").size(), 1u);
}

TEST(DeployCli, ConnectionComesFromRivetVariables) {
  const std::string ns = NewNamespace("deploy-env");
  const CliRun run = RunTether({"runner-config", "upsert", "env-pool"},
                               {{"RIVET_ENDPOINT", EngineEnvironment::engine().endpoint()}, {"RIVET_NAMESPACE", ns}});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("env-pool in namespace " + ns));
  EXPECT_TRUE(RunJson({"runner-config", "list"}, ns).at("runner_configs").contains("env-pool"));
}

TEST(DeployCli, WrongTokenFailsWithoutPrintingIt) {
  LocalEngineOptions options;
  options.admin_token = "deploy-cli-right-token-3f9a";
  auto engine = LocalEngine::Start(options);
  ASSERT_TRUE(engine.ok()) << engine.status();
  const std::string endpoint = (*engine)->endpoint();
  const std::string wrong = "deploy-cli-wrong-token-77c1";

  const CliRun by_flag = RunTether({"namespace", "list", "--endpoint", endpoint, "--token", wrong});
  EXPECT_EQ(by_flag.exit_code, 1) << by_flag.output;
  EXPECT_THAT(by_flag.output, HasSubstr("api.forbidden"));
  EXPECT_THAT(by_flag.output, HasSubstr("Invalid token"));
  EXPECT_THAT(by_flag.output, Not(HasSubstr(wrong)));

  // The same token in the endpoint's user info, and in RIVET_TOKEN.
  const CliRun by_url = RunTether({"actor", "list", "--endpoint", "http://default:" + wrong + "@" + endpoint.substr(7)});
  EXPECT_EQ(by_url.exit_code, 1) << by_url.output;
  EXPECT_THAT(by_url.output, HasSubstr("Invalid token"));
  EXPECT_THAT(by_url.output, Not(HasSubstr(wrong)));
  const CliRun by_env = RunTether({"runner-config", "list"}, {{"RIVET_ENDPOINT", endpoint}, {"RIVET_TOKEN", wrong}});
  EXPECT_EQ(by_env.exit_code, 1) << by_env.output;
  EXPECT_THAT(by_env.output, Not(HasSubstr(wrong)));

  const CliRun missing = RunTether({"namespace", "list", "--endpoint", endpoint});
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_THAT(missing.output, HasSubstr("Token not provided"));

  const CliRun right = RunTether({"namespace", "list", "--endpoint", endpoint}, {{"RIVET_TOKEN", options.admin_token}});
  EXPECT_EQ(right.exit_code, 0) << right.output;
  EXPECT_THAT(right.output, HasSubstr("default"));
  EXPECT_THAT(right.output, Not(HasSubstr(options.admin_token)));
}

TEST(DeployCli, UnreachableEndpointIsNamed) {
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(UnusedLoopbackPort());
  const CliRun run = RunTether({"actor", "list", "--endpoint", endpoint});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("cannot reach the engine at " + endpoint));
}

TEST(DeployCli, UsageErrorsNameTheFlag) {
  const CliRun unknown = RunTether({"actor", "create", "counter", "--crash", "restart"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.output, HasSubstr("unknown flag --crash"));
  const CliRun bad_value = RunTether({"runner-config", "upsert", "p", "--serverless-url", "http://x/",
                                      "--request-lifespan", "soon"});
  EXPECT_EQ(bad_value.exit_code, 2);
  EXPECT_THAT(bad_value.output, HasSubstr("--request-lifespan"));
  const CliRun missing_file = RunTether({"actor", "create", "counter", "--input", "@/nonexistent/input.json"});
  EXPECT_EQ(missing_file.exit_code, 2);
  EXPECT_THAT(missing_file.output, HasSubstr("--input"));
  const CliRun help = RunTether({"runner-config", "upsert", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.output, HasSubstr("RIVET_TOKEN"));
}

}  // namespace
}  // namespace tether::testing
