// `tether proto`: frames captured from a real rivet-engine 2.3.19 session (official-peers.md)
// decode to JSON and encode back to the same bytes; bad input exits 1 with the decoder's message.
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "proto_command.h"

namespace {

using testing::HasSubstr;

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result RunProto(std::vector<std::string> args, const std::string& input) {
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  const int code = tether::cli::RunProtoCommand(args, in, out, err);
  return {code, out.str(), err.str()};
}

constexpr char kEngineInit[] =
    "001e3572376e6a7a7833796432396d6132746b76386b677634656164626c3030983a00000000000040771b000000000000";

TEST(ProtoCommand, DecodesACapturedEngineFrameAndEncodesItBack) {
  const Result decoded = RunProto({"decode", "--type", "ToClient", "--compact"}, std::string(kEngineInit) + "\n");
  ASSERT_EQ(decoded.code, 0) << decoded.err;
  EXPECT_EQ(decoded.out,
            "{\"tag\":\"ToClientInit\",\"val\":{\"runnerId\":\"5r7njzx3yd29ma2tkv8kgv4eadbl00\",\"metadata\":{"
            "\"runnerLostThreshold\":\"15000\",\"actorStopThreshold\":\"1800000\",\"serverlessDrainGracePeriod\":null}}}\n");
  const Result encoded = RunProto({"encode", "--type", "ToClient"}, decoded.out);
  ASSERT_EQ(encoded.code, 0) << encoded.err;
  EXPECT_EQ(encoded.out, std::string(kEngineInit) + "\n");
}

TEST(ProtoCommand, AcceptsHexWithSpacesAndRawBytes) {
  EXPECT_EQ(RunProto({"decode", "--type", "ToServer", "--compact"}, "04 cf f7 87 1e\n a2 01 00 00").out,
            "{\"tag\":\"ToServerPong\",\"val\":{\"ts\":\"1795808557007\"}}\n");
  EXPECT_EQ(RunProto({"decode", "--type", "ToServer", "--binary", "--compact"}, std::string("\x03", 1)).out,
            "{\"tag\":\"ToServerStopping\",\"val\":null}\n");
  const Result raw = RunProto({"encode", "--type", "ToServer", "--binary"}, "{\"tag\":\"ToServerStopping\",\"val\":null}");
  EXPECT_EQ(raw.out, std::string("\x03", 1));
}

TEST(ProtoCommand, InvalidFramesExitOneWithTheDecoderMessage) {
  Result r = RunProto({"decode", "--type", "ToClient"}, "0500");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "tether proto decode: ToClient: truncated input: u64 needs 8 bytes, 1 left at byte 1\n");
  r = RunProto({"decode", "--type", "ToClient"}, "0x05");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("invalid hex digit 'x' at character 1"));
  r = RunProto({"decode", "--type", "ToClient"}, "050");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("odd number of hex digits"));
}

TEST(ProtoCommand, InvalidJsonExitsOneNamingThePath) {
  Result r = RunProto({"encode", "--type", "ToServer"}, R"({"tag":"ToServerPong","val":{"ts":"soon"}})");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("at $.val.ts: \"soon\" is not a decimal integer within 64 bits"));
  r = RunProto({"encode", "--type", "ToServer"}, R"({"tag":"ToServerInit","val":{"name":"x","version":-1,"totalSlots":1}})");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("at $.val.version: number -1 is out of range"));
  r = RunProto({"encode", "--type", "ToServer"}, R"({"tag":"ToServerNope","val":null})");
  EXPECT_THAT(r.err, HasSubstr("unknown tag \"ToServerNope\" for union ToServer"));
  r = RunProto({"encode", "--type", "ToServer"}, R"({"tag":"ToServerStopping","tag":"x"})");
  EXPECT_THAT(r.err, HasSubstr("duplicate key \"tag\""));
  r = RunProto({"encode", "--type", "ToServer"}, "{");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("invalid JSON"));
}

TEST(ProtoCommand, UsageErrorsExitTwo) {
  EXPECT_EQ(RunProto({}, "").code, 2);
  EXPECT_EQ(RunProto({"decode"}, "").code, 2);
  EXPECT_EQ(RunProto({"decode", "--type", "Nope"}, "").code, 2);
  EXPECT_EQ(RunProto({"decode", "--type", "ToClient", "--protocol", "v99"}, "").code, 2);
  const Result types = RunProto({"types"}, "");
  EXPECT_EQ(types.code, 0);
  EXPECT_THAT(types.out, HasSubstr("ToClient\n"));
  EXPECT_THAT(types.out, HasSubstr("ToServer\n"));
}

}  // namespace
