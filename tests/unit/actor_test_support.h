// Helpers for unit tests that run actor code on real threads: NoActorRequests, for actors that
// never sleep, set alarms or use KV, and RunOnLoop.
#ifndef TETHER_TESTS_UNIT_ACTOR_TEST_SUPPORT_H_
#define TETHER_TESTS_UNIT_ACTOR_TEST_SUPPORT_H_

#include <functional>
#include <future>

#include "actors/actor_runtime.h"
#include "net/event_loop.h"

namespace tether::testing {

class NoActorRequests : public actors::ActorRequests {
  void RequestSleep(const std::string&, std::uint32_t) override {}
  void RequestDestroy(const std::string&, std::uint32_t) override {}
  void RequestAlarm(const std::string&, std::uint32_t, std::optional<std::chrono::system_clock::time_point>) override {}
  void RequestStop(const std::string&, std::uint32_t) override {}
  void SubmitKv(const std::string&, proto::v7::KvRequestData, internal::KvResponseCallback) override {}
  absl::StatusOr<std::vector<std::shared_ptr<WebSocket>>> RestoreWebSockets(const std::string&, std::uint32_t,
                                                                            std::vector<StoredWebSocket>) override {
    return absl::UnimplementedError("not in this test");
  }
};

// Runs `fn` on the loop's thread and waits for it.
inline void RunOnLoop(net::EventLoop& loop, const std::function<void()>& fn) {
  std::promise<void> done;
  loop.Post([&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

}  // namespace tether::testing

#endif  // TETHER_TESTS_UNIT_ACTOR_TEST_SUPPORT_H_
