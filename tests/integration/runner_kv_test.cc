// Probe (temporary).
#include <cstdio>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runner_test_support.h"

namespace tether::testing {
namespace {

absl::Status RawPut(Kv& kv, std::string key, std::string value) { return kv.Put({{std::move(key), std::move(value)}}).get(); }

TEST(KvProbe, Limits) {
  auto t = TestRunner::Start("kv-probe", {"counter"});
  ASSERT_NE(t, nullptr);
  const std::string id = t->CreateActor("counter");
  ASSERT_TRUE(t->log->WaitFor("start", id).has_value());
  Kv& kv = t->log->Running(id)->kv();
  for (std::size_t n : {2040u, 2042u, 2043u, 2044u, 2045u, 2046u, 2047u, 2048u}) {
    std::printf("key a*%zu: %s\n", n, RawPut(kv, std::string(n, 'a'), "v").ToString().c_str());
  }
  for (std::size_t n : {1020u, 1021u, 1022u, 1023u, 1024u, 2040u, 2046u}) {
    std::printf("key 0x00*%zu: %s\n", n, RawPut(kv, std::string(n, '\0'), "v").ToString().c_str());
  }
  for (std::size_t n : {2040u, 2046u, 2047u}) {
    std::printf("key 0xff*%zu: %s\n", n, RawPut(kv, std::string(n, '\xff'), "v").ToString().c_str());
  }
  std::printf("empty value: %s\n", RawPut(kv, "ev", "").ToString().c_str());
  std::printf("empty key: %s\n", RawPut(kv, "", "x").ToString().c_str());
  auto all = kv.ListAll().get();
  std::printf("listall ok=%d n=%zu\n", all.ok(), all.ok() ? all->size() : 0);
  if (all.ok()) for (auto& e : *all) std::printf("  key len %zu first=%02x value len %zu\n", e.key.size(), e.key.empty() ? 0 : static_cast<unsigned char>(e.key[0]), e.value.size());
  auto g = kv.Get({"", "ev"}).get();
  std::printf("get empty key ok=%d n=%zu %s\n", g.ok(), g.ok() ? g->size() : 0, g.status().ToString().c_str());
  std::printf("value max: %s\n", RawPut(kv, "big", std::string(128 * 1024, 'x')).ToString().c_str());
  // put total: 8 values of 122*1024 = 976KiB values only, keys 1 byte -> over with keys
  {
    std::vector<std::pair<std::string, std::string>> e;
    std::size_t total = 0;
    for (int i = 0; i < 8; ++i) { e.push_back({std::string(1, static_cast<char>('A' + i)), std::string(122 * 1024, 'y')}); total += 1 + 122 * 1024; }
    e.back().second.resize(e.back().second.size() - 8);
    total -= 8;
    std::printf("put total=%zu (limit %zu): %s\n", total, KvLimits::kMaxPutBytes, kv.Put(e).get().ToString().c_str());
  }
  for (std::size_t trim : {0u, 16u, 24u, 32u}) {
    std::vector<std::pair<std::string, std::string>> e;
    std::size_t total = 0;
    for (int i = 0; i < 8; ++i) { e.push_back({"k" + std::to_string(i), std::string(122 * 1024, 'y')}); total += 2 + 122 * 1024; }
    e.back().second.resize(e.back().second.size() - 16 - trim);
    total -= 16 + trim;
    std::printf("put keys2 total=%zu (limit %zu): %s\n", total, KvLimits::kMaxPutBytes, kv.Put(e).get().ToString().c_str());
  }
  t->log->Running(id)->SetAlarm(std::chrono::system_clock::now() + std::chrono::hours(1));
  all = kv.ListAll().get();
  std::printf("listall after alarm n=%zu\n", all.ok() ? all->size() : 0);
}

}  // namespace
}  // namespace tether::testing
