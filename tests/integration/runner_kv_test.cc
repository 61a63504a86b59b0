// tether::Kv against the real engine: reads, lists (ranges, prefixes, reverse, limit), writes and
// deletes with binary keys and values; the largest requests the engine accepts and the client-side
// rejection of anything over KvLimits before it is sent; the runner's reserved keys; and values
// kept across a sleep and wake.
//
// Every test gets its own namespace, runner and actor ("counter", a RecordingActor), which writes
// the key "starts" when it starts; tests use key prefixes or expect "starts" in full listings.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/engine_environment.h"
#include "harness/rest.h"
#include "runner_test_support.h"

namespace tether::testing {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

using Entries = std::vector<std::pair<std::string, std::string>>;

// The engine measures a key as its FoundationDB tuple packing, which adds 2 bytes to the raw key
// (whatever its bytes, 0x00 included): the longest raw key it accepts is 2046 bytes, and a put's
// total counts every key 2 bytes longer than it is. Measured against the pinned engine, and kept
// apart from KvLimits so these tests still hold when the client limits change.
constexpr std::size_t kEngineKeyOverhead = 2;
constexpr std::size_t kEngineMaxRawKeyBytes = 2046;
static_assert(kEngineMaxRawKeyBytes + kEngineKeyOverhead == 2048);

// The runner's alarm (see runner_core.cc), stored in the actor's KV under a reserved key.
const std::string kAlarmKey = "\0tether:alarm"s;

::testing::AssertionResult IsOk(const absl::Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << status;
}
#define ASSERT_OK(expr) ASSERT_TRUE(IsOk(expr))

KvListOptions Limit(std::uint64_t limit) { return {.reverse = false, .limit = limit}; }
KvListOptions Reverse(std::optional<std::uint64_t> limit = std::nullopt) { return {.reverse = true, .limit = limit}; }

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `n` bytes that vary, so a value cut or shifted anywhere does not compare equal.
std::string Pattern(std::size_t n, std::size_t seed = 0) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 251 + seed) & 0xff);
  return s;
}

std::string AllBytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  return s;
}

// The entries of a successful read; a failed read fails the test and reads as nothing.
KvEntries Read(std::future<absl::StatusOr<KvEntries>> future) {
  absl::StatusOr<KvEntries> result = future.get();
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : KvEntries{};
}

// Byte strings as compared and printed: long ones as their size and a hash, so a failure does
// not print 128 KiB.
std::string Show(const std::string& bytes) {
  if (bytes.size() <= 64) return bytes;
  return "<" + std::to_string(bytes.size()) + " bytes #" + std::to_string(std::hash<std::string>{}(bytes)) + ">";
}

Entries Show(const Entries& entries) {
  Entries shown;
  for (const auto& [key, value] : entries) shown.emplace_back(Show(key), Show(value));
  return shown;
}

std::vector<std::string> Keys(const KvEntries& entries) {
  std::vector<std::string> keys;
  for (const KvEntry& e : entries) keys.push_back(Show(e.key));
  return keys;
}

Entries Pairs(const KvEntries& entries) {
  Entries pairs;
  for (const KvEntry& e : entries) pairs.emplace_back(Show(e.key), Show(e.value));
  return pairs;
}

std::vector<std::int64_t> Timestamps(const KvEntries& entries) {
  std::vector<std::int64_t> ts;
  for (const KvEntry& e : entries) ts.push_back(e.update_ts_ms);
  return ts;
}

// Whether the engine holds `key` for the actor, read through the REST API (which, unlike Kv,
// shows the runner's own keys); nullopt if the engine did not say.
std::optional<bool> EngineHasKey(const TestRunner& t, const std::string& id, const std::string& key) {
  absl::StatusOr<std::string> value = ReadActorKv(EngineEnvironment::engine(), t.namespace_name, id, key);
  if (value.ok()) return true;
  if (std::string(value.status().message()).find("kv_key_not_found") != std::string::npos) return false;
  return std::nullopt;
}

class RunnerKv : public RunningActorTest {
 protected:
  Kv& kv() { return actor_->kv(); }
};

// ---------------------------------------------------------------------------------------------
// Reads and writes.

TEST_F(RunnerKv, PutThenGetReturnsOnlyTheKeysThatExist) {
  const std::int64_t before = NowMs();
  ASSERT_OK(kv().Put({{"g/b", "two"}, {"g/a", "1"}}).get());
  const std::int64_t after = NowMs();

  const KvEntries got = Read(kv().Get({"g/b", "g/missing", "g/a"}));
  EXPECT_THAT(Pairs(got), UnorderedElementsAre(Pair("g/a", "1"), Pair("g/b", "two")));
  for (const KvEntry& e : got) {
    EXPECT_GE(e.update_ts_ms, before - 1000) << e.key;
    EXPECT_LE(e.update_ts_ms, after + 1000) << e.key;
  }
  EXPECT_THAT(Read(kv().Get({"g/missing"})), IsEmpty());
  EXPECT_THAT(Read(kv().Get({})), IsEmpty());

  ASSERT_OK(kv().Put({{"g/a", "one"}}).get());
  EXPECT_THAT(Pairs(Read(kv().Get({"g/a"}))), ElementsAre(Pair("g/a", "one"))) << "a put overwrites";
}

// The engine answers a get in the order of the keys asked for, not in byte order as kv.h says
// of all results; this test does not depend on either.
TEST_F(RunnerKv, GetOfSeveralKeysReturnsEachExistingKeyOnce) {
  Entries entries;
  for (int i = 9; i >= 0; --i) entries.emplace_back("m/" + std::to_string(i), "v" + std::to_string(i));
  ASSERT_OK(kv().Put(entries).get());

  EXPECT_THAT(Pairs(Read(kv().Get({"m/7", "m/2", "m/nope", "m/5", "starts"}))),
              UnorderedElementsAre(Pair("m/2", "v2"), Pair("m/5", "v5"), Pair("m/7", "v7"), Pair("starts", "1")));
}

TEST_F(RunnerKv, ListAllIsInByteOrder) {
  ASSERT_OK(kv().Put({{"b", "1"}, {"a", "2"}, {"ab", "3"}, {"a\0"s, "4"}, {"A", "5"}, {"\x7f", "6"}, {"\x80", "7"},
                      {"\xff", "8"}, {"\x01", "9"}})
                .get());
  EXPECT_THAT(Keys(Read(kv().ListAll())),
              ElementsAre("\x01", "A", "a", "a\0"s, "ab", "b", "starts", "\x7f", "\x80", "\xff"));
}

TEST_F(RunnerKv, ListRangeIncludesTheEndUnlessExclusive) {
  ASSERT_OK(kv().Put({{"q", "-"}, {"r/a", "a"}, {"r/b", "b"}, {"r/c", "c"}, {"r/d", "d"}, {"s/", "-"}}).get());

  EXPECT_THAT(Pairs(Read(kv().ListRange("r/b", "r/d", false))),
              ElementsAre(Pair("r/b", "b"), Pair("r/c", "c"), Pair("r/d", "d")));
  EXPECT_THAT(Keys(Read(kv().ListRange("r/b", "r/d", true))), ElementsAre("r/b", "r/c"));
  // Bounds need not be keys.
  EXPECT_THAT(Keys(Read(kv().ListRange("r/bb", "r/cc", false))), ElementsAre("r/c"));
  EXPECT_THAT(Keys(Read(kv().ListRange("r/", "r/z", true))), ElementsAre("r/a", "r/b", "r/c", "r/d"));
  // A one-key range.
  EXPECT_THAT(Keys(Read(kv().ListRange("r/a", "r/a", false))), ElementsAre("r/a"));
  EXPECT_THAT(Read(kv().ListRange("r/a", "r/a", true)), IsEmpty());
  // Start after end: nothing.
  EXPECT_THAT(Read(kv().ListRange("r/d", "r/a", false)), IsEmpty());
}

TEST_F(RunnerKv, ListPrefixReturnsTheKeysStartingWithIt) {
  ASSERT_OK(kv().Put({{"o", "-"}, {"p", "0"}, {"p/1", "1"}, {"p/10", "10"}, {"p/2", "2"}, {"p/\xff", "ff"},
                      {"pp", "pp"}, {"q", "-"}})
                .get());

  EXPECT_THAT(Keys(Read(kv().ListPrefix("p"))), ElementsAre("p", "p/1", "p/10", "p/2", "p/\xff", "pp"));
  EXPECT_THAT(Pairs(Read(kv().ListPrefix("p/1"))), ElementsAre(Pair("p/1", "1"), Pair("p/10", "10")));
  EXPECT_THAT(Keys(Read(kv().ListPrefix("p/2"))), ElementsAre("p/2"));
  // A prefix ending in 0xff has no "next" prefix of the same length.
  EXPECT_THAT(Keys(Read(kv().ListPrefix("p/\xff"))), ElementsAre("p/\xff"));
  EXPECT_THAT(Read(kv().ListPrefix("x/")), IsEmpty());
  // The empty prefix matches every key.
  EXPECT_THAT(Keys(Read(kv().ListPrefix(""))),
              ElementsAre("o", "p", "p/1", "p/10", "p/2", "p/\xff", "pp", "q", "starts"));
}

TEST_F(RunnerKv, ListsHonourReverseAndLimit) {
  Entries entries;
  for (int i = 0; i < 10; ++i) entries.emplace_back("n/" + std::to_string(i), std::to_string(i));
  ASSERT_OK(kv().Put(entries).get());

  EXPECT_THAT(Keys(Read(kv().ListPrefix("n/", Reverse()))),
              ElementsAre("n/9", "n/8", "n/7", "n/6", "n/5", "n/4", "n/3", "n/2", "n/1", "n/0"));
  EXPECT_THAT(Keys(Read(kv().ListPrefix("n/", Limit(3)))), ElementsAre("n/0", "n/1", "n/2"));
  EXPECT_THAT(Keys(Read(kv().ListPrefix("n/", Reverse(3)))), ElementsAre("n/9", "n/8", "n/7"));
  EXPECT_THAT(Read(kv().ListPrefix("n/", Limit(100))), ::testing::SizeIs(10));

  EXPECT_THAT(Keys(Read(kv().ListRange("n/2", "n/6", false, Reverse()))),
              ElementsAre("n/6", "n/5", "n/4", "n/3", "n/2"));
  EXPECT_THAT(Keys(Read(kv().ListRange("n/2", "n/6", true, Reverse(2)))), ElementsAre("n/5", "n/4"));
  EXPECT_THAT(Keys(Read(kv().ListRange("n/2", "n/6", true, Limit(2)))), ElementsAre("n/2", "n/3"));

  EXPECT_THAT(Keys(Read(kv().ListAll(Limit(2)))), ElementsAre("n/0", "n/1"));
  EXPECT_THAT(Keys(Read(kv().ListAll(Reverse(2)))), ElementsAre("starts", "n/9"));
  EXPECT_THAT(Keys(Read(kv().ListAll(Reverse()))),
              ElementsAre("starts", "n/9", "n/8", "n/7", "n/6", "n/5", "n/4", "n/3", "n/2", "n/1", "n/0"));
}

TEST_F(RunnerKv, BinaryKeysAndValuesRoundTrip) {
  const Entries entries = {{"\0"s, AllBytes()},  {"\0\0"s, "\0"s},      {"\0\xff"s, "\xff"},    {"a\0b"s, "\0a\0"s},
                           {"\xff"s, "\xff\0"s}, {"\xff\0"s, Pattern(300)}, {"\xff\xff"s, "\x80\x7f"}};
  ASSERT_OK(kv().Put(entries).get());

  Entries expected = entries;
  expected.insert(expected.begin() + 4, {"starts", "1"});
  EXPECT_EQ(Pairs(Read(kv().ListAll())), Show(expected)) << "byte order, 0x00 and 0xff included";
  for (const auto& [key, value] : entries) {
    EXPECT_THAT(Pairs(Read(kv().Get({key}))), ElementsAre(Pair(Show(key), Show(value))));
  }
  EXPECT_THAT(Keys(Read(kv().ListPrefix("\0\0"s))), ElementsAre("\0\0"s));
  EXPECT_THAT(Keys(Read(kv().ListPrefix("\xff\0"s))), ElementsAre("\xff\0"s));
  EXPECT_THAT(Keys(Read(kv().ListPrefix("a\0"s))), ElementsAre("a\0b"s));
  EXPECT_THAT(Keys(Read(kv().ListRange("\0\0"s, "\xff"s, true))), ElementsAre("\0\0"s, "\0\xff"s, "a\0b"s, "starts"));
  EXPECT_THAT(Keys(Read(kv().ListRange("\0"s, "\0\xff"s, false))), ElementsAre("\0"s, "\0\0"s, "\0\xff"s));
  EXPECT_THAT(Keys(Read(kv().ListRange("\xff"s, "\xff\xff"s, false, Reverse()))),
              ElementsAre("\xff\xff"s, "\xff\0"s, "\xff"s));

  ASSERT_OK(kv().Delete({"\0\0"s}).get());
  ASSERT_OK(kv().DeleteRange("\xff"s, "\xff\xff"s).get());
  EXPECT_THAT(Keys(Read(kv().ListAll())), ElementsAre("\0"s, "\0\xff"s, "a\0b"s, "starts", "\xff\xff"s));
}

// The pinned engine accepts an empty value (newer engines refuse it) and an empty key.
TEST_F(RunnerKv, EmptyValuesAndTheEmptyKeyAreStored) {
  ASSERT_OK(kv().Put({{"e/empty", ""}, {"e/full", "x"}}).get());
  EXPECT_THAT(Pairs(Read(kv().Get({"e/empty", "e/full"}))), ElementsAre(Pair("e/empty", ""), Pair("e/full", "x")))
      << "an empty value is a value, not a missing key";
  EXPECT_THAT(Pairs(Read(kv().ListPrefix("e/"))), ElementsAre(Pair("e/empty", ""), Pair("e/full", "x")));

  ASSERT_OK(kv().Put({{"", "root"}}).get());
  EXPECT_THAT(Pairs(Read(kv().Get({""}))), ElementsAre(Pair("", "root")));
  EXPECT_THAT(Keys(Read(kv().ListAll())), ElementsAre("", "e/empty", "e/full", "starts"))
      << "the empty key sorts first";
  EXPECT_THAT(Keys(Read(kv().ListRange("", "e/empty", false))), ElementsAre("", "e/empty"));

  ASSERT_OK(kv().Delete({""}).get());
  EXPECT_THAT(Read(kv().Get({""})), IsEmpty());
  EXPECT_THAT(Keys(Read(kv().ListAll())), ElementsAre("e/empty", "e/full", "starts"));
}

TEST_F(RunnerKv, DeleteRemovesTheKeysAndIgnoresMissingOnes) {
  ASSERT_OK(kv().Put({{"x/a", "a"}, {"x/b", "b"}, {"x/c", "c"}}).get());
  ASSERT_OK(kv().Delete({"x/a", "x/missing", "x/c"}).get());
  EXPECT_THAT(Pairs(Read(kv().ListPrefix("x/"))), ElementsAre(Pair("x/b", "b")));
  EXPECT_THAT(Read(kv().Get({"x/a", "x/c"})), IsEmpty());
  ASSERT_OK(kv().Delete({"x/a"}).get()) << "deleting a deleted key is fine";
  ASSERT_OK(kv().Delete({}).get());
  EXPECT_THAT(Keys(Read(kv().ListPrefix("x/"))), ElementsAre("x/b"));
}

TEST_F(RunnerKv, DeleteRangeIsHalfOpenAndEmptyWhenStartIsNotBeforeEnd) {
  ASSERT_OK(kv().Put({{"d/a", "a"}, {"d/b", "b"}, {"d/c", "c"}, {"d/d", "d"}, {"d/e", "e"}}).get());

  ASSERT_OK(kv().DeleteRange("d/b", "d/d").get());
  EXPECT_THAT(Keys(Read(kv().ListPrefix("d/"))), ElementsAre("d/a", "d/d", "d/e")) << "[start, end)";

  ASSERT_OK(kv().DeleteRange("d/e", "d/a").get());
  ASSERT_OK(kv().DeleteRange("d/d", "d/d").get());
  EXPECT_THAT(Keys(Read(kv().ListPrefix("d/"))), ElementsAre("d/a", "d/d", "d/e")) << "start >= end deletes nothing";

  // The smallest end past "d/e" takes it too.
  ASSERT_OK(kv().DeleteRange("d/d", "d/e\0"s).get());
  EXPECT_THAT(Keys(Read(kv().ListAll())), ElementsAre("d/a", "starts"));
}

TEST_F(RunnerKv, DropDeletesEveryKey) {
  ASSERT_OK(kv().Put({{"a", "1"}, {"\0z"s, "2"}, {"\xff"s, "3"}, {"", "4"}}).get());
  ASSERT_OK(kv().Drop().get());
  EXPECT_THAT(Read(kv().ListAll()), IsEmpty()) << "\"starts\" goes too";
  EXPECT_THAT(Read(kv().Get({"a", "starts", ""})), IsEmpty());

  ASSERT_OK(kv().Put({{"after", "drop"}}).get());
  EXPECT_THAT(Pairs(Read(kv().ListAll())), ElementsAre(Pair("after", "drop")));
}

// ---------------------------------------------------------------------------------------------
// The largest requests the engine accepts.

TEST_F(RunnerKv, ValueOfTheMaximumSizeIsStored) {
  const std::string biggest = Pattern(KvLimits::kMaxValueBytes, 7);
  // The engine stores values in 10,000-byte chunks: sizes around the chunk boundaries too.
  ASSERT_OK(kv().Put({{"v/max", biggest},
                      {"v/9999", Pattern(9999, 1)},
                      {"v/10000", Pattern(10000, 2)},
                      {"v/10001", Pattern(10001, 3)},
                      {"v/20000", Pattern(20000, 4)}})
                .get());
  EXPECT_THAT(Pairs(Read(kv().Get({"v/max"}))), ElementsAre(Pair("v/max", Show(biggest))));
  EXPECT_EQ(Pairs(Read(kv().ListPrefix("v/"))), Show(Entries{{"v/10000", Pattern(10000, 2)},
                                                             {"v/10001", Pattern(10001, 3)},
                                                             {"v/20000", Pattern(20000, 4)},
                                                             {"v/9999", Pattern(9999, 1)},
                                                             {"v/max", biggest}}));

  // Overwriting with a shorter value leaves none of the old chunks behind.
  ASSERT_OK(kv().Put({{"v/max", "short"}}).get());
  EXPECT_THAT(Pairs(Read(kv().Get({"v/max"}))), ElementsAre(Pair("v/max", "short")));
}

TEST_F(RunnerKv, MaximumNumberOfKeysPerRequestIsAccepted) {
  Entries entries;
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < KvLimits::kMaxKeysPerRequest; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "k/%03zu", i);
    entries.emplace_back(key, "value " + std::to_string(i));
    keys.emplace_back(key);
  }
  ASSERT_OK(kv().Put(entries).get());

  EXPECT_THAT(Pairs(Read(kv().Get(keys))), ::testing::UnorderedElementsAreArray(entries));
  EXPECT_EQ(Pairs(Read(kv().ListPrefix("k/"))), entries);
  ASSERT_OK(kv().Delete(keys).get());
  EXPECT_THAT(Read(kv().ListPrefix("k/")), IsEmpty());
}

TEST_F(RunnerKv, PutOfTheMaximumTotalSizeIsAccepted) {
  // 8 keys of 3 bytes: the engine counts 8 * (3 + 2) key bytes, so the values get the rest.
  constexpr std::size_t kKeys = 8;
  constexpr std::size_t kValueBytes = (KvLimits::kMaxPutBytes - kKeys * (3 + kEngineKeyOverhead)) / kKeys;
  static_assert(kKeys * (3 + kEngineKeyOverhead + kValueBytes) == KvLimits::kMaxPutBytes);
  static_assert(kValueBytes <= KvLimits::kMaxValueBytes);
  Entries at_limit;
  for (std::size_t i = 0; i < kKeys; ++i) at_limit.emplace_back("t/" + std::to_string(i), Pattern(kValueBytes, i));
  ASSERT_OK(kv().Put(at_limit).get()) << "exactly the engine's limit, counted as the engine counts";
  EXPECT_EQ(Pairs(Read(kv().ListPrefix("t/"))), Show(at_limit));

  Entries just_under = at_limit;
  for (auto& [key, value] : just_under) key[0] = 'u';
  just_under.back().second.pop_back();
  ASSERT_OK(kv().Put(just_under).get());
  EXPECT_EQ(Pairs(Read(kv().ListPrefix("u/"))), Show(just_under));

  // One byte more than the engine's count allows is refused.
  Entries over = at_limit;
  for (auto& [key, value] : over) key[0] = 'w';
  over.back().second.push_back('!');
  EXPECT_FALSE(kv().Put(over).get().ok());
  EXPECT_THAT(Read(kv().ListPrefix("w/")), IsEmpty()) << "a refused put writes nothing";
}

TEST_F(RunnerKv, LongestKeyTheEngineAcceptsIs2046RawBytes) {
  for (const char c : {'k', '\0', '\xff'}) {
    SCOPED_TRACE(static_cast<int>(static_cast<unsigned char>(c)));
    const std::string longest(kEngineMaxRawKeyBytes, c);
    ASSERT_OK(kv().Put({{longest, "v"}}).get());
    EXPECT_THAT(Pairs(Read(kv().Get({longest}))), ElementsAre(Pair(Show(longest), "v")));
    EXPECT_THAT(Keys(Read(kv().ListPrefix(longest))), ElementsAre(Show(longest)));
    EXPECT_THAT(Keys(Read(kv().ListRange(longest, longest, false))), ElementsAre(Show(longest)));
    ASSERT_OK(kv().Delete({longest}).get());
    EXPECT_THAT(Read(kv().Get({longest})), IsEmpty());

    // One byte longer is refused, 0x00 bytes counting no more than others.
    const std::string too_long(kEngineMaxRawKeyBytes + 1, c);
    EXPECT_FALSE(kv().Put({{too_long, "v"}}).get().ok());
    EXPECT_FALSE(kv().Get({too_long}).get().ok());
    EXPECT_FALSE(kv().ListPrefix(too_long).get().ok());
  }
  EXPECT_THAT(Keys(Read(kv().ListAll())), ElementsAre("starts"));
}

// ---------------------------------------------------------------------------------------------
// Requests over a limit fail in the client, at once, with InvalidArgument naming the limit. (The
// engine's own refusals come back as FailedPrecondition "engine KV error: ...".)

void ExpectRejected(std::future<absl::Status> future, const std::string& limit) {
  ASSERT_EQ(future.wait_for(0s), std::future_status::ready) << "not failed at once: " << limit;
  const absl::Status status = future.get();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr(limit));
}

void ExpectRejected(std::future<absl::StatusOr<KvEntries>> future, const std::string& limit) {
  ASSERT_EQ(future.wait_for(0s), std::future_status::ready) << "not failed at once: " << limit;
  const absl::StatusOr<KvEntries> result = future.get();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr(limit));
}

TEST_F(RunnerKv, RequestsOverTheClientLimitsAreRejectedBeforeSending) {
  const std::string long_key(KvLimits::kMaxKeyBytes + 1, 'k');
  ExpectRejected(kv().Put({{"ok", "v"}, {long_key, "v"}}), "bytes per key");
  ExpectRejected(kv().Get({long_key}), "bytes per key");
  ExpectRejected(kv().Delete({long_key}), "bytes per key");
  ExpectRejected(kv().ListPrefix(long_key), "bytes per key");
  ExpectRejected(kv().ListRange("a", long_key, false), "bytes per key");
  ExpectRejected(kv().ListRange(long_key, "z", true), "bytes per key");
  ExpectRejected(kv().DeleteRange("a", long_key), "bytes per key");

  ExpectRejected(kv().Put({{"ok", "v"}, {"big", std::string(KvLimits::kMaxValueBytes + 1, 'v')}}), "bytes per value");

  Entries too_many;
  std::vector<std::string> too_many_keys;
  for (std::size_t i = 0; i <= KvLimits::kMaxKeysPerRequest; ++i) {
    too_many.emplace_back("many/" + std::to_string(i), "v");
    too_many_keys.push_back("many/" + std::to_string(i));
  }
  ExpectRejected(kv().Put(too_many), "keys per request");
  ExpectRejected(kv().Get(too_many_keys), "keys per request");
  ExpectRejected(kv().Delete(too_many_keys), "keys per request");

  // kMaxPutBytes + 1 bytes of raw keys and values, no value over its own limit.
  Entries too_big;
  std::size_t total = 0;
  for (int i = 0; total < KvLimits::kMaxPutBytes + 1; ++i) {
    std::string key = "big/" + std::to_string(i);
    const std::size_t value_bytes = std::min(KvLimits::kMaxValueBytes, KvLimits::kMaxPutBytes + 1 - total - key.size());
    total += key.size() + value_bytes;
    too_big.emplace_back(std::move(key), std::string(value_bytes, 'v'));
  }
  ASSERT_EQ(total, KvLimits::kMaxPutBytes + 1);
  ExpectRejected(kv().Put(too_big), "bytes per put");

  // Nothing of the rejected requests reached the engine.
  EXPECT_THAT(Keys(Read(kv().ListAll())), ElementsAre("starts"));
}

TEST_F(RunnerKv, LimitsAreCheckedWithoutTheEngine) {
  ASSERT_TRUE(EngineEnvironment::engine().Stop().ok());
  // With the engine gone, a valid request waits for the reconnect; an invalid one fails at once.
  std::future<absl::Status> queued = kv().Put({{"queued", "while the engine was down"}});
  ExpectRejected(kv().Put({{std::string(KvLimits::kMaxKeyBytes + 1, 'k'), "v"}}), "bytes per key");
  ExpectRejected(kv().Put({{"v", std::string(KvLimits::kMaxValueBytes + 1, 'v')}}), "bytes per value");
  ExpectRejected(kv().Get(std::vector<std::string>(KvLimits::kMaxKeysPerRequest + 1, "k")), "keys per request");
  ExpectRejected(kv().Put({{"\0tether:x"s, "v"}}), "reserved");
  ASSERT_TRUE(EngineEnvironment::engine().Restart().ok());

  ASSERT_OK(queued.get());
  EXPECT_THAT(Pairs(Read(kv().Get({"queued"}))), ElementsAre(Pair("queued", "while the engine was down")));
}

// ---------------------------------------------------------------------------------------------
// The runner's own keys.

TEST_F(RunnerKv, KeysStartingWithTheReservedPrefixCannotBeWritten) {
  ExpectRejected(kv().Put({{"\0tether:mine"s, "x"}}), "reserved");
  ExpectRejected(kv().Put({{"ok/1", "x"}, {kAlarmKey, "x"}}), "reserved");
  ExpectRejected(kv().Delete({kAlarmKey}), "reserved");
  ExpectRejected(kv().Delete({"ok/1", "\0tether:"s}), "reserved");
  EXPECT_THAT(Read(kv().ListPrefix("ok/")), IsEmpty()) << "a rejected put writes none of its keys";

  // Only the exact prefix is reserved.
  ASSERT_OK(kv().Put({{"\0tether"s, "1"}, {"\0tether;"s, "2"}, {"tether:alarm", "3"}}).get());
  EXPECT_THAT(Keys(Read(kv().ListAll())), ElementsAre("\0tether"s, "\0tether;"s, "starts", "tether:alarm"));
}

TEST_F(RunnerKv, TheAlarmKeyNeverShows) {
  actor_->SetAlarm(std::chrono::system_clock::now() + 1h);
  ASSERT_TRUE(Eventually([&] { return EngineHasKey(*t_, id_, kAlarmKey) == true; }))
      << "the runner did not store the alarm";
  ASSERT_OK(kv().Put({{"\0a"s, "1"}, {"\0z"s, "2"}}).get());

  EXPECT_THAT(Keys(Read(kv().ListAll())), ElementsAre("\0a"s, "\0z"s, "starts"));
  EXPECT_THAT(Keys(Read(kv().ListAll(Reverse()))), ElementsAre("starts", "\0z"s, "\0a"s));
  EXPECT_THAT(Keys(Read(kv().ListPrefix("\0"s))), ElementsAre("\0a"s, "\0z"s));
  EXPECT_THAT(Read(kv().ListPrefix("\0tether:"s)), IsEmpty());
  EXPECT_THAT(Keys(Read(kv().ListRange("", "\xff"s, false))), ElementsAre("\0a"s, "\0z"s, "starts"));
  EXPECT_THAT(Read(kv().Get({kAlarmKey})), IsEmpty());
  EXPECT_THAT(Keys(Read(kv().Get({kAlarmKey, "starts"}))), ElementsAre("starts"));

  actor_->ClearAlarm();
  EXPECT_TRUE(Eventually([&] { return EngineHasKey(*t_, id_, kAlarmKey) == false; }))
      << "the cleared alarm stayed stored";
}

// ---------------------------------------------------------------------------------------------
// Durability.

TEST_F(RunnerKv, ValuesSurviveASleepAndWake) {
  ASSERT_OK(kv().Put({{"s/bin", AllBytes()},
                      {"s/big", Pattern(KvLimits::kMaxValueBytes, 3)},
                      {"s/empty", ""},
                      {"s/\0\xff"s, "key bytes"}})
                .get());
  const KvEntries before = Read(kv().ListPrefix("s/"));
  ASSERT_EQ(before.size(), 4u);

  actor_->Sleep();
  ASSERT_TRUE(t_->log->WaitFor("stop", id_, 0u).has_value());
  absl::StatusOr<HttpResponse> response = GatewayGet(EngineEnvironment::engine(), id_, "/");
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_TRUE(t_->log->WaitFor("start", id_, 1u).has_value()) << "the request did not wake the actor";
  tether::Actor* woken = t_->log->Running(id_);
  ASSERT_NE(woken, nullptr);

  const KvEntries after = Read(woken->kv().ListPrefix("s/"));
  EXPECT_EQ(Pairs(after), Pairs(before)) << "keys and values kept";
  EXPECT_EQ(Timestamps(after), Timestamps(before)) << "write times kept";
  EXPECT_THAT(Pairs(Read(woken->kv().Get({"starts"}))), ElementsAre(Pair("starts", "2")));
}

// ---------------------------------------------------------------------------------------------
// Where the engine differs from what the SDK promises, and the SDK makes up for it.

// The engine's 2048-byte key limit applies to the tuple-packed key, 2 bytes longer than the raw
// key; the client's limit is the raw one, so 2047 bytes fail in the client, naming the limit.
TEST_F(RunnerKv, ClientKeyLimitIsTheEnginesRawKeyLimit) {
  const std::string key(kEngineMaxRawKeyBytes + 1, 'k');
  ExpectRejected(kv().Put({{key, "v"}}), "bytes per key");
  ExpectRejected(kv().Get({key}), "bytes per key");
  ExpectRejected(kv().ListPrefix(key), "bytes per key");
}

// The engine counts each key of a put as its raw size + 2, and so does the client: a put of
// kMaxPutBytes raw bytes fails in the client instead of as "transaction failed" from the engine.
TEST_F(RunnerKv, ClientPutLimitCountsTheEnginesKeyOverhead) {
  Entries entries;
  for (std::size_t i = 0; i < 8; ++i) {
    entries.emplace_back("t/" + std::to_string(i), std::string(KvLimits::kMaxPutBytes / 8 - 3, 'v'));
  }
  ExpectRejected(kv().Put(entries), "bytes per put");
}

// The runner's alarm key is dropped from list results after the engine applied the limit, so the
// client asks for one more entry than the limit (here the limit is 1 and "starts" must come back).
TEST_F(RunnerKv, ListLimitCountsOnlyTheProgramsKeys) {
  actor_->SetAlarm(std::chrono::system_clock::now() + 1h);
  ASSERT_TRUE(Eventually([&] { return EngineHasKey(*t_, id_, kAlarmKey) == true; }));
  EXPECT_THAT(Keys(Read(kv().ListAll(Limit(1)))), ElementsAre("starts"));
  EXPECT_THAT(Keys(Read(kv().ListPrefix("", Limit(1)))), ElementsAre("starts"));
  actor_->ClearAlarm();
}

// Drop (and a DeleteRange spanning "\0tether:alarm") deletes the runner's stored alarm; the runner
// writes it again, so OnAlarm still runs when the engine wakes the actor for it.
TEST_F(RunnerKv, DropKeepsThePendingAlarm) {
  actor_->SetAlarm(std::chrono::system_clock::now() + 3s);
  ASSERT_TRUE(Eventually([&] { return EngineHasKey(*t_, id_, kAlarmKey) == true; }));
  ASSERT_OK(kv().Drop().get());
  actor_->Sleep();
  ASSERT_TRUE(t_->log->WaitFor("stop", id_, 0u).has_value());
  ASSERT_TRUE(t_->log->WaitFor("start", id_, 1u).has_value()) << "the engine did not wake the actor for its alarm";
  EXPECT_TRUE(t_->log->WaitFor("alarm", id_, 1u, 10s).has_value()) << "the alarm was lost with the Drop";
}

// The engine lists a prefix as the packed range [prefix, prefix + 0xff) (actor_kv/mod.rs,
// list_query_range), missing every key whose byte right after the prefix is 0xff (and the empty
// prefix misses keys starting with 0xff); the SDK sends a prefix as a range instead.
TEST_F(RunnerKv, ListPrefixFindsKeysWithAn0xffAfterThePrefix) {
  ASSERT_OK(kv().Put({{"p/1", "1"}, {"p/\xff", "2"}, {"p/\xff\xff", "3"}, {"\xff", "4"}}).get());
  EXPECT_THAT(Keys(Read(kv().ListPrefix("p/"))), ElementsAre("p/1", "p/\xff", "p/\xff\xff"));
  EXPECT_THAT(Keys(Read(kv().ListPrefix(""))), ElementsAre("p/1", "p/\xff", "p/\xff\xff", "starts", "\xff"));
}

// kv.h promises byte order; the engine answers a get in the order asked, so the client sorts.
TEST_F(RunnerKv, GetResultsAreInByteOrder) {
  ASSERT_OK(kv().Put({{"a", "1"}, {"b", "2"}}).get());
  EXPECT_THAT(Keys(Read(kv().Get({"b", "a"}))), ElementsAre("a", "b"));
}

}  // namespace
}  // namespace tether::testing
