#include "agent_test_support.h"

#include <regex>
#include <utility>

#include <gtest/gtest.h>

#include "harness/engine_environment.h"
#include "harness/http_client.h"
#include "harness/rest.h"

namespace tether::testing {

using namespace std::chrono_literals;

std::string WaitForLog(const ChildProcess& process, const std::string& pattern, std::chrono::milliseconds timeout) {
  const std::regex regex(pattern);
  std::smatch match;
  std::string log;
  Eventually([&] { return std::regex_search(log = process.Log(), match, regex); }, timeout);
  return match.size() > 1 ? match[1].str() : "";
}

absl::StatusOr<std::string> CreateNamespaceForThisTest() {
  return CreateNamespace(EngineEnvironment::engine(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

App App::Start(const std::string& log_name, const std::vector<std::string>& argv,
               std::map<std::string, std::string> env, int port) {
  App app;
  env["PORT"] = std::to_string(port);
  auto child = ChildProcess::Spawn(argv, env, ::testing::TempDir() + log_name + ".log");
  EXPECT_TRUE(child.ok()) << child.status();
  if (!child.ok()) return app;
  app.process = *std::move(child);
  const std::string found = WaitForLog(*app.process, R"(listening on http://127\.0\.0\.1:(\d+))", 10s);
  EXPECT_FALSE(found.empty()) << app.process->Log();
  app.port = found.empty() ? 0 : std::stoi(found);
  return app;
}

std::string Agent::Admin(const std::string& path) const {
  auto response = HttpRequest("GET", "http://127.0.0.1:" + std::to_string(admin_port) + path);
  return response.ok() ? std::to_string(response->status) + " " + response->body : "<unreachable>";
}

Agent StartAgentProcess(const std::string& tether_cli, const std::string& label, const std::string& namespace_name,
                 const std::string& upstream, const std::vector<std::string>& extra_args) {
  Agent agent;
  const std::string log = ::testing::TempDir() + "agent-" + namespace_name + "-" + label + ".log";
  std::vector<std::string> argv = {tether_cli, "agent", "--upstream", upstream, "--admin-address", "127.0.0.1:0",
                                   "--upstream-wait", "0"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  auto child = ChildProcess::Spawn(argv, {{"RIVET_ENDPOINT", EngineEnvironment::engine().endpoint()},
                                          {"RIVET_NAMESPACE", namespace_name},
                                          {"RIVET_POOL", "pool"},
                                          {"RIVET_LOG_LEVEL", "info"}},
                                   log);
  EXPECT_TRUE(child.ok()) << child.status();
  if (!child.ok()) return agent;
  agent.process = *std::move(child);
  const std::string port =
      WaitForLog(*agent.process, R"(admin server listening"(?: address=|,"address":")127\.0\.0\.1:(\d+))", 10s);
  EXPECT_FALSE(port.empty()) << agent.process->Log();
  agent.admin_port = port.empty() ? 0 : std::stoi(port);
  EXPECT_TRUE(Eventually([&] { return agent.process->Log().find("connected to the engine") != std::string::npos; }, 30s))
      << agent.process->Log();
  return agent;
}

}  // namespace tether::testing
