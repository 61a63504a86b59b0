// Unit tests of the agent's pure parts: its configuration, the header rules of forwarding, the
// log line parsing behind --log-format json, and the metrics exposition text.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/agent_config.h"
#include "agent/agent_log.h"
#include "agent/forwarding_headers.h"
#include "agent/metrics_registry.h"

namespace tether::agent {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

cli::EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    const auto found = values.find(std::string(name));
    return found == values.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
}

template <class T>
std::string Message(const absl::StatusOr<T>& result) {
  return std::string(result.status().message());
}

absl::StatusOr<AgentConfig> Resolve(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
  const std::vector<cli::FlagSpec> flags = AgentFlags();
  absl::StatusOr<cli::CommandLine> command_line = cli::ParseCommandLine(args, flags);
  if (!command_line.ok()) return command_line.status();
  return ResolveAgentConfig(*command_line, FakeEnv(std::move(env)), nullptr);
}

TEST(UpstreamUrl, AcceptsHttpWithPortAndPrefix) {
  auto url = ParseUpstreamUrl("HTTP://127.0.0.1:3000/app/");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 3000);
  EXPECT_EQ(url->HttpBase(), "http://127.0.0.1:3000/app");
  auto ipv6 = ParseUpstreamUrl("http://[::1]:8080");
  ASSERT_TRUE(ipv6.ok()) << ipv6.status();
  EXPECT_EQ(ipv6->host, "::1");
  EXPECT_EQ(ipv6->HttpBase(), "http://[::1]:8080");
  auto default_port = ParseUpstreamUrl("http://app.internal");
  ASSERT_TRUE(default_port.ok()) << default_port.status();
  EXPECT_EQ(default_port->port, 80);
}

TEST(UpstreamUrl, RejectsWhatItCannotForwardTo) {
  EXPECT_THAT(Message(ParseUpstreamUrl("https://127.0.0.1:3000")), HasSubstr("http://"));
  EXPECT_THAT(Message(ParseUpstreamUrl("127.0.0.1:3000")), HasSubstr("http://"));
  EXPECT_THAT(Message(ParseUpstreamUrl("http://user:secret@host:1")), HasSubstr("user info"));
  EXPECT_THAT(Message(ParseUpstreamUrl("http://host:1/?q=1")), HasSubstr("query"));
  EXPECT_THAT(Message(ParseUpstreamUrl("http://:3000")), HasSubstr("missing host"));
  EXPECT_THAT(Message(ParseUpstreamUrl("http://host:99999")), HasSubstr("invalid port"));
  EXPECT_THAT(Message(ParseUpstreamUrl("http://host:0")), HasSubstr("port other than 0"));
}

TEST(AgentConfig, FlagsOverrideVariables) {
  auto config = Resolve({"--upstream", "http://127.0.0.1:4000", "--log-format=json", "--sleep-after", "30",
                         "--pool", "edge", "--request-timeout", "10"},
                        {{"TETHER_UPSTREAM", "http://127.0.0.1:3000"}, {"TETHER_ADMIN_ADDRESS", "0.0.0.0:0"},
                         {"TETHER_LOG_FORMAT", "text"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->upstream.port, 4000);
  EXPECT_EQ(config->log_format, LogFormat::kJson);
  EXPECT_EQ(config->sleep_after, std::chrono::seconds(30));
  EXPECT_EQ(config->runner.runner_name, "edge");
  EXPECT_EQ(config->request_timeout, std::chrono::seconds(10));
  EXPECT_EQ(config->admin_host, "0.0.0.0");
  EXPECT_EQ(config->admin_port, 0);
}

TEST(AgentConfig, DefaultsAndVariables) {
  auto config = Resolve({}, {{"TETHER_UPSTREAM", "http://127.0.0.1:3000"}, {"TETHER_SLEEP_AFTER", "5"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->admin_host, "127.0.0.1");
  EXPECT_EQ(config->admin_port, 9464);
  EXPECT_EQ(config->log_format, LogFormat::kText);
  EXPECT_EQ(config->sleep_after, std::chrono::seconds(5));
  EXPECT_EQ(config->upstream_wait, std::chrono::seconds(10));
}

TEST(AgentConfig, ErrorsNameTheFlagOrVariable) {
  EXPECT_THAT(Message(Resolve({})), HasSubstr("--upstream or TETHER_UPSTREAM"));
  EXPECT_THAT(Message(Resolve({"--upstream", "ftp://x"})), HasSubstr("--upstream/TETHER_UPSTREAM"));
  EXPECT_THAT(Message(Resolve({"--upstream", "http://x:1", "--log-format", "xml"})),
              HasSubstr("--log-format/TETHER_LOG_FORMAT"));
  EXPECT_THAT(Message(Resolve({"--upstream", "http://x:1"}, {{"TETHER_ADMIN_ADDRESS", "9464"}})),
              HasSubstr("--admin-address/TETHER_ADMIN_ADDRESS"));
  EXPECT_THAT(Message(Resolve({"--upstream", "http://x:1", "--sleep-after", "-1"})),
              HasSubstr("--sleep-after"));
  EXPECT_THAT(Message(Resolve({"--upstream", "http://x:1", "--connect-timeout", "0"})),
              HasSubstr("--connect-timeout must be at least 1"));
  EXPECT_THAT(Message(Resolve({"--upstream", "http://x:1", "--no-such-flag"})), HasSubstr("--no-such-flag"));
}

TEST(AgentHelp, DocumentsEveryFlag) {
  const std::string help = AgentHelp();
  for (const cli::FlagSpec& flag : AgentFlags()) EXPECT_THAT(help, HasSubstr(std::string(flag.name))) << flag.name;
  for (const char* variable : {"TETHER_UPSTREAM", "TETHER_ADMIN_ADDRESS", "TETHER_LOG_FORMAT", "TETHER_SLEEP_AFTER",
                               "RIVET_ENDPOINT", "RIVET_TOKEN", "RIVET_NAMESPACE", "RIVET_POOL", "x-tether-hibernate",
                               "x-tether-resumed", "x-rivet-websocket-id", "x-rivet-actor-generation"}) {
    EXPECT_THAT(help, HasSubstr(variable)) << variable;
  }
}

TEST(ForwardingHeaders, RequestLosesHopByHopAndClientRivetHeadersAndGainsTheActor) {
  ActorInfo actor;
  actor.actor_id = "abc";
  actor.name = "chat";
  actor.key = "room-1";
  actor.generation = 3;
  const HttpHeaders forwarded = UpstreamRequestHeaders(
      {{"host", "gw.example"}, {"connection", "keep-alive, x-secret"}, {"x-secret", "1"}, {"keep-alive", "5"},
       {"transfer-encoding", "chunked"}, {"proxy-authorization", "p"}, {"te", "trailers"}, {"upgrade", "websocket"},
       {"content-length", "5"}, {"x-rivet-token", "engine"}, {"x-rivet-actor-id", "spoofed"},
       {"sec-websocket-key", "k"}, {"Accept", "text/html"}, {"authorization", "Bearer user"}},
      actor);
  EXPECT_THAT(forwarded, testing::UnorderedElementsAre(
                             Pair("x-forwarded-host", "gw.example"), Pair("accept", "text/html"),
                             Pair("authorization", "Bearer user"), Pair("x-rivet-actor-id", "abc"),
                             Pair("x-rivet-actor-name", "chat"), Pair("x-rivet-actor-key", "room-1"),
                             Pair("x-rivet-actor-generation", "3")));
  actor.key.reset();
  EXPECT_THAT(UpstreamRequestHeaders({}, actor), Not(Contains(Pair("x-rivet-actor-key", testing::_))));
}

TEST(ForwardingHeaders, ResponseLosesHopByHopAndContentLength) {
  EXPECT_THAT(ClientResponseHeaders({{"Content-Type", "text/plain"}, {"Content-Length", "3"}, {"Connection", "close"},
                                     {"Transfer-Encoding", "chunked"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}}),
              testing::ElementsAre(Pair("content-type", "text/plain"), Pair("set-cookie", "a=1"),
                                   Pair("set-cookie", "b=2")));
}

TEST(ForwardingHeaders, SubprotocolsWithoutTheGatewaysOwn) {
  EXPECT_EQ(UpstreamSubprotocols({{"sec-websocket-protocol", "rivet, rivet_token.secret, chat.v2 , graphql-ws"}}),
            "chat.v2, graphql-ws");
  EXPECT_EQ(UpstreamSubprotocols({{"sec-websocket-protocol", "rivet"}}), "");
}

TEST(AgentLogLines, LogfmtParsesAndRendersAsJson) {
  auto record = ParseLogfmt(R"(ts=2026-11-27T10:00:00Z level=warn msg="lost the \"engine\"" n=5 path=/a\x01)");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->Get("msg"), "lost the \"engine\"");
  EXPECT_EQ(record->Get("n"), "5");
  EXPECT_EQ(RenderJson(*record),
            R"({"ts":"2026-11-27T10:00:00Z","level":"warn","msg":"lost the \"engine\"","n":"5","path":"/a\\x01"})");
  auto escaped = ParseLogfmt(R"(ts=1 msg="tab\x09here")");
  ASSERT_TRUE(escaped.has_value());
  EXPECT_EQ(escaped->Get("msg"), "tab\there");
  EXPECT_FALSE(ParseLogfmt("terminate called after throwing an instance of 'x'").has_value());
  EXPECT_FALSE(ParseLogfmt(R"(ts=1 msg="unterminated)").has_value());
}

TEST(MetricsRegistry, RendersSeriesGroupedByName) {
  MetricsRegistry registry;
  Counter& to_upstream = registry.AddCounter("tether_bytes_total", "Bytes.", R"(direction="to_upstream")");
  Gauge& open = registry.AddGauge("tether_open", "Open things.");
  Counter& from_upstream = registry.AddCounter("tether_bytes_total", "Ignored help.", R"(direction="from_upstream")");
  to_upstream.Add(5);
  from_upstream.Add();
  open.Add(2);
  open.Add(-1);
  EXPECT_EQ(registry.Render(),
            "# HELP tether_bytes_total Bytes.\n"
            "# TYPE tether_bytes_total counter\n"
            "tether_bytes_total{direction=\"to_upstream\"} 5\n"
            "tether_bytes_total{direction=\"from_upstream\"} 1\n"
            "# HELP tether_open Open things.\n"
            "# TYPE tether_open gauge\n"
            "tether_open 1\n");
}

}  // namespace
}  // namespace tether::agent
