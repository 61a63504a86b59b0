// The BARE core and the generated v7 types: what the conformance vectors cannot reach (limits,
// encoder refusals, the typed API) and exact error messages.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tether/bare/codec.h"
#include "tether/proto/runner_protocol_v7.h"

namespace {

namespace bare = tether::bare;
namespace v7 = tether::proto::v7;
using testing::HasSubstr;

bare::Bytes B(std::initializer_list<int> bytes) {
  bare::Bytes out;
  for (int b : bytes) out.push_back(static_cast<std::uint8_t>(b));
  return out;
}

std::string ErrorOf(const bare::Bytes& bytes, const bare::Limits& limits = {}) {
  absl::StatusOr<v7::ToServer> decoded = bare::Decode<v7::ToServer>(bytes, limits);
  return decoded.ok() ? "accepted" : std::string(decoded.status().message());
}

// ToServerInit as a real engine 2.3.19 session sent it (official-peers.md, captured frames).
const bare::Bytes kCapturedInit = B({0x00, 0x0a, 'c', 'p', 'p', '-', 'r', 'u', 'n', 'n', 'e', 'r', 0x01, 0x00, 0x00,
                                     0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00});

TEST(TypedApi, BuildsTheInitFrameARealRunnerSent) {
  v7::ToServerInit init;
  init.name = "cpp-runner";
  init.version = 1;
  init.total_slots = 1;
  init.prepopulate_actor_names.emplace();
  absl::StatusOr<bare::Bytes> bytes = bare::Encode(v7::ToServer{init});
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes, kCapturedInit);

  absl::StatusOr<v7::ToServer> decoded = bare::Decode<v7::ToServer>(*bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_TRUE(std::holds_alternative<v7::ToServerInit>(*decoded));
  EXPECT_EQ(std::get<v7::ToServerInit>(*decoded), init);
}

TEST(TypedApi, UnionsWithTheSameMembersAreDistinctTypes) {
  static_assert(!std::is_same_v<v7::Command, v7::ActorCommandKeyData>);
  v7::ActorCommandKeyData stored = v7::CommandStopActor{};
  v7::Command command = v7::CommandStopActor{};
  EXPECT_EQ(bare::Encode(stored).value(), bare::Encode(command).value());
}

TEST(TypedApi, MapsKeepWireOrder) {
  v7::ToServerResponseStart response;
  response.status = 200;
  response.headers = {{"z-last", "1"}, {"a-first", "2"}};
  v7::ToServerTunnelMessage message{v7::MessageId{{1, 2, 3, 4}, {5, 6, 7, 8}, 0}, response};
  absl::StatusOr<bare::Bytes> bytes = bare::Encode(v7::ToServer{message});
  ASSERT_TRUE(bytes.ok());
  const auto decoded = bare::Decode<v7::ToServer>(*bytes);
  ASSERT_TRUE(decoded.ok());
  const auto& kind = std::get<v7::ToServerTunnelMessage>(*decoded).message_kind;
  const auto& headers = std::get<v7::ToServerResponseStart>(kind).headers;
  EXPECT_EQ(headers[0].first, "z-last");
  ASSERT_NE(bare::Find(headers, std::string("a-first")), nullptr);
  EXPECT_EQ(*bare::Find(headers, std::string("a-first")), "2");
}

TEST(Reader, RejectsUnknownTagNamingUnionAndOffset) {
  EXPECT_EQ(ErrorOf(B({0x07})), "unknown tag 7 for union ToServer at byte 0");
  // ToServerEvents with one event whose Event tag is 3.
  EXPECT_EQ(ErrorOf(B({0x01, 0x01, 0x01, 'a', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x03})),
            "unknown tag 3 for union Event at byte 16");
}

TEST(Reader, RejectsNonCanonicalAndOverlongUleb128) {
  EXPECT_THAT(ErrorOf(B({0x80, 0x00})), "non-canonical ULEB128 integer (padded with a zero byte) at byte 0");
  // ToServerPong's ts is fine; Init name length 0x81 0x80 0x00 is padded twice.
  EXPECT_THAT(ErrorOf(B({0x00, 0x81, 0x80, 0x00})), HasSubstr("non-canonical ULEB128 integer"));
  EXPECT_THAT(ErrorOf(B({0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})),
              "ULEB128 integer overflows 64 bits at byte 1");
}

TEST(Reader, RejectsBoolAndOptionalBytesOtherThanZeroOrOne) {
  // ToServerTunnelMessage / WebSocketOpen { canHibernate = 2 }.
  EXPECT_EQ(ErrorOf(B({0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0x03, 0x02})),
            "invalid bool byte 2 (must be 0 or 1) at byte 12");
  // ToServerInit whose prepopulateActorNames presence byte is 2.
  EXPECT_EQ(ErrorOf(B({0x00, 0x00, 1, 0, 0, 0, 1, 0, 0, 0, 0x02})),
            "invalid optional presence byte 2 (must be 0 or 1) at byte 10");
}

TEST(Reader, RejectsTruncatedAndTrailingInput) {
  EXPECT_EQ(ErrorOf(B({0x04, 0x01, 0x02})), "truncated input: u64 needs 8 bytes, 2 left at byte 1");
  EXPECT_EQ(ErrorOf(B({0x03, 0x00, 0x00})), "2 trailing bytes after the value at byte 1");
  EXPECT_EQ(ErrorOf({}), "truncated input: ULEB128 integer needs 1 bytes, 0 left at byte 0");
}

TEST(Reader, RejectsInvalidUtf8) {
  EXPECT_EQ(ErrorOf(B({0x00, 0x02, 0xc0, 0x80, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0})), "str is not valid UTF-8 at byte 1");
}

TEST(Reader, BoundsLengthsBeforeAllocating) {
  bare::Limits limits;
  limits.max_bytes_length = 3;
  EXPECT_EQ(ErrorOf(B({0x00, 0x04, 'a', 'b', 'c', 'd', 1, 0, 0, 0, 1, 0, 0, 0, 0, 0}), limits),
            "str length 4 exceeds the limit of 3 at byte 1");
  limits = {};
  limits.max_list_length = 1;
  EXPECT_EQ(ErrorOf(B({0x02, 0x02}), limits), "list length 2 exceeds the limit of 1 at byte 1");
  // A count of 2^32 with 0 bytes behind it: refused without reserving anything.
  EXPECT_EQ(ErrorOf(B({0x01, 0x80, 0x80, 0x80, 0x80, 0x10})), "list length 4294967296 exceeds the limit of 1048576 at byte 1");
  EXPECT_EQ(ErrorOf(B({0x01, 0xff, 0xff, 0x3f})),
            "truncated input: list of 1048575 items cannot fit in the 0 bytes left at byte 1");
}

TEST(Reader, RejectsDuplicateMapKeys) {
  // ToServerInit with prepopulateActorNames {"a": {metadata: ""}, "a": ...}.
  EXPECT_EQ(ErrorOf(B({0x00, 0x00, 1, 0, 0, 0, 1, 0, 0, 0, 0x01, 0x02, 0x01, 'a', 0x00, 0x01, 'a', 0x00, 0x00})),
            "duplicate map key in ToServerInit.prepopulateActorNames at byte 15");
}

TEST(Reader, FindsDuplicatesInLargeMapsToo) {
  v7::ToServerInit init;
  auto& names = init.prepopulate_actor_names.emplace();
  for (int i = 0; i < 40; ++i) names.emplace_back("actor-" + std::to_string(i), v7::ActorName{"{}"});
  ASSERT_TRUE(bare::Encode(v7::ToServer{init}).ok());
  names.emplace_back("actor-3", v7::ActorName{"{}"});
  EXPECT_THAT(std::string(bare::Encode(v7::ToServer{init}).status().message()),
              HasSubstr("duplicate map key in ToServerInit.prepopulateActorNames"));
}

TEST(Writer, RefusesWhatPeersWouldReject) {
  v7::ToServerInit init;
  init.name = "\xed\xa0\x80";  // a UTF-16 surrogate, invalid in UTF-8
  absl::StatusOr<bare::Bytes> bytes = bare::Encode(v7::ToServer{init});
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().message(), "cannot encode: str is not valid UTF-8");

  v7::ActorStateStopped stopped;
  stopped.code = static_cast<v7::StopCode>(7);
  EXPECT_EQ(bare::Encode(v7::ActorState{stopped}).status().message(), "cannot encode: unknown value 7 for enum StopCode");
}

TEST(Writer, EncodeToLeavesTheBufferAsItWasOnError) {
  bare::Bytes out = B({0xaa});
  v7::ToServerInit bad;
  bad.name = "\xff";
  EXPECT_FALSE(bare::EncodeTo(v7::ToServer{bad}, out).ok());
  EXPECT_EQ(out, B({0xaa}));
  EXPECT_TRUE(bare::EncodeTo(v7::ToServer{v7::ToServerStopping{}}, out).ok());
  EXPECT_EQ(out, B({0xaa, 0x03}));
}

TEST(Utf8, MatchesTheUnicodeTable) {
  EXPECT_TRUE(bare::IsValidUtf8("ключ 🚀"));
  EXPECT_TRUE(bare::IsValidUtf8("\xf4\x8f\xbf\xbf"));    // U+10FFFF
  EXPECT_FALSE(bare::IsValidUtf8("\xf4\x90\x80\x80"));   // above U+10FFFF
  EXPECT_FALSE(bare::IsValidUtf8("\xe0\x80\xaf"));       // overlong
  EXPECT_FALSE(bare::IsValidUtf8("\xc1\xbf"));           // overlong
  EXPECT_FALSE(bare::IsValidUtf8("\xe2\x82"));           // cut short
  EXPECT_FALSE(bare::IsValidUtf8("\x80"));               // lone continuation
}

TEST(Uleb128, RoundTripsBoundaries) {
  for (std::uint64_t v : {0ull, 127ull, 128ull, 16383ull, 16384ull, 0xffffffffull, ~0ull}) {
    bare::Bytes bytes;
    bare::Writer writer(bytes);
    writer.Uint(v);
    bare::Limits limits;
    bare::Reader reader(bytes, limits);
    EXPECT_EQ(reader.Uint(), v);
    EXPECT_TRUE(reader.ok() && reader.AtEnd()) << v;
  }
}

}  // namespace
