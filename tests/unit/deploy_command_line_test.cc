// Flag parsing and connection settings of the deploy commands, and the usage errors they give
// before any request is sent (the engine itself is exercised by tests/integration/deploy_cli_test).
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "deploy/command_line.h"
#include "deploy/deploy_commands.h"
#include "rest/engine_api.h"

namespace tether::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr FlagSpec kFlags[] = {{"--name", true}, {"--header", true}, {"--json", false}};

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto found = vars.find(std::string(name));
    return found == vars.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
}

TEST(DeployCommandLine, AcceptsSpacedAndEqualsValuesSwitchesAndPositionals) {
  const std::vector<std::string> args = {"pool", "--name", "a", "--header=x=1", "--json", "--header", "y=2", "--",
                                         "--not-a-flag"};
  const absl::StatusOr<CommandLine> parsed = ParseCommandLine(args, kFlags);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->positionals, ElementsAre("pool", "--not-a-flag"));
  EXPECT_EQ(parsed->Value("--name"), "a");
  EXPECT_THAT(parsed->Values("--header"), ElementsAre("x=1", "y=2"));
  EXPECT_TRUE(parsed->Has("--json"));
  EXPECT_FALSE(parsed->Has("--help"));
}

TEST(DeployCommandLine, ErrorsNameTheFlag) {
  const std::vector<std::string> unknown = {"--nmae", "a"};
  EXPECT_THAT(std::string(ParseCommandLine(unknown, kFlags).status().message()), HasSubstr("unknown flag --nmae"));
  const std::vector<std::string> no_value = {"--name"};
  EXPECT_THAT(std::string(ParseCommandLine(no_value, kFlags).status().message()), HasSubstr("--name needs a value"));
  const std::vector<std::string> switch_value = {"--json=yes"};
  EXPECT_THAT(std::string(ParseCommandLine(switch_value, kFlags).status().message()), HasSubstr("--json takes no value"));
}

TEST(DeployCommandLine, FlagsBeatTheEndpointUserInfoWhichBeatsTheEnvironment) {
  const EnvLookup env = FakeEnv({{"RIVET_ENDPOINT", "https://env-ns:env-token@engine.example:8443/rivet"},
                                 {"RIVET_NAMESPACE", "other-ns"},
                                 {"RIVET_TOKEN", "other-token"}});
  const std::vector<std::string> none;
  const absl::StatusOr<Connection> from_env = ResolveConnection(*ParseCommandLine(none, {}), env);
  ASSERT_TRUE(from_env.ok()) << from_env.status();
  EXPECT_EQ(from_env->namespace_name, "env-ns");
  EXPECT_EQ(from_env->target.token, "env-token");
  EXPECT_EQ(rest::EngineApi(from_env->target).base_url(), "https://engine.example:8443/rivet");

  const std::vector<std::string> flags = {"--namespace", "flag-ns", "--token", "flag-token", "--endpoint",
                                          "ws://127.0.0.1:7000"};
  const std::vector<FlagSpec> specs = ConnectionFlags(/*with_namespace=*/true);
  const absl::StatusOr<Connection> from_flags = ResolveConnection(*ParseCommandLine(flags, specs), env);
  ASSERT_TRUE(from_flags.ok()) << from_flags.status();
  EXPECT_EQ(from_flags->namespace_name, "flag-ns");
  EXPECT_EQ(from_flags->target.token, "flag-token");
  EXPECT_EQ(rest::EngineApi(from_flags->target).base_url(), "http://127.0.0.1:7000");
}

TEST(DeployCommandLine, DefaultsToTheLocalEngineAndTheDefaultNamespace) {
  const std::vector<std::string> none;
  const absl::StatusOr<Connection> connection = ResolveConnection(*ParseCommandLine(none, {}), FakeEnv({}));
  ASSERT_TRUE(connection.ok()) << connection.status();
  EXPECT_EQ(connection->namespace_name, "default");
  EXPECT_TRUE(connection->target.token.empty());
  EXPECT_EQ(rest::EngineApi(connection->target).base_url(), "http://127.0.0.1:6420");
}

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome RunActor(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunActorCommand(args, FakeEnv({}), out, err);
  return {code, out.str(), err.str()};
}

Outcome RunRunnerConfig(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunRunnerConfigCommand(args, FakeEnv({}), out, err);
  return {code, out.str(), err.str()};
}

TEST(DeployCommandLine, UsageErrorsExitTwoBeforeAnyRequest) {
  EXPECT_EQ(RunActor({}).code, kExitUsage);
  EXPECT_EQ(RunActor({"launch"}).code, kExitUsage);
  EXPECT_THAT(RunActor({"create"}).err, HasSubstr("missing the actor name"));
  EXPECT_THAT(RunActor({"list", "--key", "k"}).err, HasSubstr("--key needs --name"));
  EXPECT_THAT(RunActor({"list", "--limit", "0"}).err, HasSubstr("--limit"));
  EXPECT_THAT(RunRunnerConfig({"upsert", "pool", "--slots-per-runner", "2"}).err,
              HasSubstr("--slots-per-runner needs --serverless-url"));
  EXPECT_THAT(RunRunnerConfig({"upsert", "pool", "--serverless-url", "http://x/", "--request-lifespan", "60",
                               "--header", "no-equals"}).err,
              HasSubstr("--header expects NAME=VALUE"));
  EXPECT_EQ(RunRunnerConfig({"upsert", "pool", "--endpoint", "gopher://x"}).code, kExitUsage);
}

TEST(DeployCommandLine, BadEndpointErrorsDoNotEchoTheToken) {
  const Outcome run = RunActor({"list", "--endpoint", "http://ns:secret-token@host:notaport"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("--endpoint"));
  EXPECT_THAT(run.err, Not(HasSubstr("secret-token")));
}

TEST(DeployCommandLine, HelpDocumentsFlagsAndVariables) {
  const Outcome run = RunActor({"create", "--help"});
  EXPECT_EQ(run.code, kExitOk);
  for (const char* text : {"--key", "--input", "--crash-policy", "--runner-name", "--endpoint", "RIVET_ENDPOINT",
                           "--namespace", "RIVET_NAMESPACE", "--token", "RIVET_TOKEN", "--json", "--ca-file"}) {
    EXPECT_THAT(run.out, HasSubstr(text));
  }
}

TEST(DeployCommandLine, UrlEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(rest::UrlEncode("a-Z_0.9~"), "a-Z_0.9~");
  EXPECT_EQ(rest::UrlEncode("k/1 &x=é"), "k%2F1%20%26x%3D%C3%A9");
}

}  // namespace
}  // namespace tether::cli
