// Frames the real engine sends on /runners/connect decode with our codec, `tether proto decode`
// turns them into JSON, and `tether proto encode` of that JSON gives back the captured bytes.
// Also pins how the engine refuses a bad connection (close code and reason), which the runner's
// error reporting relies on.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/engine_environment.h"
#include "harness/raw_websocket.h"
#include "tether/bare/codec.h"
#include "tether/bare/hex.h"
#include "tether/proto/runner_protocol_v7.h"

namespace {

namespace v7 = tether::proto::v7;
using namespace std::chrono_literals;
using tether::testing::EngineEnvironment;
using tether::testing::RawWebSocket;
using testing::HasSubstr;
using testing::StartsWith;

struct CliResult {
  int exit_code;
  std::string out;
};

// Runs the built `tether` binary with `input` on stdin.
CliResult RunCli(const std::string& args, const std::string& input) {
  const std::string input_path = testing::TempDir() + "tether-cli-input";
  std::ofstream(input_path, std::ios::binary) << input;
  const std::string command = std::string(TETHER_CLI) + " " + args + " < " + input_path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string Hex(const std::vector<std::uint8_t>& bytes) { return tether::bare::HexEncode(bytes); }

std::unique_ptr<RawWebSocket> ConnectRunner(const std::string& query) {
  auto ws = RawWebSocket::Connect(EngineEnvironment::engine().guard_port(), "/runners/connect?" + query, {"rivet"}, 10s);
  EXPECT_TRUE(ws.ok()) << ws.status();
  return ws.ok() ? std::move(*ws) : nullptr;
}

void SendInit(RawWebSocket& ws, const std::string& runner_name) {
  v7::ToServerInit init;
  init.name = runner_name;
  init.version = 1;
  init.total_slots = 1;
  init.metadata = R"({"test":"engine_frames"})";
  const auto frame = tether::bare::Encode(v7::ToServer{init});
  ASSERT_TRUE(frame.ok()) << frame.status();
  ASSERT_TRUE(ws.SendBinary(*frame).ok());
}

TEST(EngineFrames, InitAndPingRoundTripThroughTheCli) {
  auto ws = ConnectRunner("protocol_version=7&namespace=default&runner_key=engine-frames-test");
  ASSERT_NE(ws, nullptr);
  SendInit(*ws, "engine-frames");

  // The engine answers Init at once and pings every 3 s.
  std::vector<std::vector<std::uint8_t>> captured;
  bool init_seen = false;
  bool ping_seen = false;
  while (!(init_seen && ping_seen)) {
    auto frame = ws->Receive(10s);
    ASSERT_TRUE(frame.ok()) << frame.status();
    auto message = tether::bare::Decode<v7::ToClient>(*frame);
    ASSERT_TRUE(message.ok()) << message.status() << " in " << Hex(*frame);
    if (const auto* init = std::get_if<v7::ToClientInit>(&*message)) {
      init_seen = true;
      EXPECT_EQ(init->runner_id.size(), 30u);
      EXPECT_EQ(init->metadata.runner_lost_threshold, 15000);
    }
    if (const auto* ping = std::get_if<v7::ToClientPing>(&*message)) {
      ping_seen = true;
      ASSERT_TRUE(ws->SendBinary(*tether::bare::Encode(v7::ToServer{v7::ToServerPong{ping->ts}})).ok());
    }
    captured.push_back(*std::move(frame));
  }

  for (const auto& frame : captured) {
    const CliResult decoded = RunCli("proto decode --type ToClient", Hex(frame) + "\n");
    ASSERT_EQ(decoded.exit_code, 0) << decoded.out;
    const auto json = nlohmann::json::parse(decoded.out);
    EXPECT_THAT(json.at("tag").get<std::string>(), StartsWith("ToClient"));
    const CliResult encoded = RunCli("proto encode --type ToClient", decoded.out);
    ASSERT_EQ(encoded.exit_code, 0) << encoded.out;
    EXPECT_EQ(encoded.out, Hex(frame) + "\n") << "for " << decoded.out;
  }
  EXPECT_TRUE(ws->Close().ok());
}

// How the engine refuses a connection: the close reason it sends, read before or after the
// runner's Init. (A close frame that arrives after the runner wrote may be lost to a TCP reset, so
// refusals that come before Init are read without writing.)
std::string RefusalOf(const std::string& query, bool send_init) {
  auto ws = ConnectRunner(query);
  if (ws == nullptr) return "connect failed";
  if (send_init) SendInit(*ws, "engine-frames");
  const auto frame = ws->Receive(10s);
  return frame.ok() ? "accepted" : std::string(frame.status().message());
}

TEST(EngineFrames, UnknownNamespaceIsRefusedBeforeInit) {
  EXPECT_THAT(RefusalOf("protocol_version=7&namespace=no-such-namespace&runner_key=engine-frames-ns", false),
              HasSubstr("closed 1011 namespace.not_found#"));
}

TEST(EngineFrames, UnsupportedProtocolVersionIsRefusedAfterInit) {
  EXPECT_THAT(RefusalOf("protocol_version=8&namespace=default&runner_key=engine-frames-version", true),
              HasSubstr("closed 1011 ws.invalid_packet#"));
}

}  // namespace
