// Probe (temporary).
#include <cstdio>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runner_test_support.h"

namespace tether::testing {
namespace {

using namespace std::chrono_literals;

absl::Status RawPut(Kv& kv, std::string key, std::string value) { return kv.Put({{std::move(key), std::move(value)}}).get(); }

TEST(KvProbe, Limits2) {
  auto t = TestRunner::Start("kv-probe", {"counter"});
  ASSERT_NE(t, nullptr);
  const std::string id = t->CreateActor("counter");
  ASSERT_TRUE(t->log->WaitFor("start", id).has_value());
  Kv& kv = t->log->Running(id)->kv();
  std::printf("key 0x00*2047: %s\n", RawPut(kv, std::string(2047, '\0'), "v").ToString().c_str());
  std::printf("get 2047: %s\n", kv.Get({std::string(2047, 'a')}).get().status().ToString().c_str());
  std::printf("get 2048: %s\n", kv.Get({std::string(2048, 'a')}).get().status().ToString().c_str());
  std::printf("prefix 2047: %s\n", kv.ListPrefix(std::string(2047, 'a')).get().status().ToString().c_str());
  std::printf("prefix 2046: %s\n", kv.ListPrefix(std::string(2046, 'a')).get().status().ToString().c_str());
  std::printf("range 2047: %s\n", kv.ListRange("a", std::string(2047, 'a'), false).get().status().ToString().c_str());
  std::printf("delete 2047: %s\n", kv.Delete({std::string(2047, 'a')}).get().ToString().c_str());
  std::printf("delrange 2047: %s\n", kv.DeleteRange("a", std::string(2047, 'a')).get().ToString().c_str());
  std::printf("delrange reversed: %s\n", kv.DeleteRange("z", "a").get().ToString().c_str());
  std::printf("range reversed: %s\n", kv.ListRange("z", "a", false).get().status().ToString().c_str());
  std::printf("all: %s\n", kv.ListAll().get().status().ToString().c_str());
  // Sets alarm.
  Actor* actor = t->log->Running(id);
  actor->SetAlarm(std::chrono::system_clock::now() + 4s);
  bool seen = Eventually([&] { return ReadActorKv(EngineEnvironment::engine(), t->namespace_name, id, std::string("\0tether:alarm", 13)).ok(); });
  std::printf("alarm key seen through REST: %d\n", seen);
  auto one = kv.ListAll({false, 1}).get();
  std::printf("listall limit1: n=%zu\n", one.ok() ? one->size() : 99);
  std::printf("drop: %s\n", kv.Drop().get().ToString().c_str());
  auto rest = ReadActorKv(EngineEnvironment::engine(), t->namespace_name, id, std::string("\0tether:alarm", 13));
  std::printf("alarm key after drop: %s\n", rest.status().ToString().c_str());
  auto all = kv.ListAll().get();
  std::printf("listall after drop: n=%zu\n", all.ok() ? all->size() : 99);
  actor->Sleep();
  ASSERT_TRUE(t->log->WaitFor("stop", id, 0u).has_value());
  auto woke = t->log->WaitFor("start", id, 1u, 20s);
  std::printf("woken by alarm: %d\n", woke.has_value());
  std::printf("alarm ran: %d\n", t->log->WaitFor("alarm", id, std::nullopt, 8s).has_value());
}

}  // namespace
}  // namespace tether::testing
