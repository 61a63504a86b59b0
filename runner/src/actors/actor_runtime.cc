#include "actors/actor_runtime.h"

#include <future>

namespace tether::actors {

// The actor's Kv routes requests to the network thread and answers back to the actor's executor.
// It holds what it needs by value rather than the runtime, so the Kv inside the runtime creates
// no reference cycle.
class ActorRuntime::Channel final : public internal::KvChannel {
 public:
  Channel(std::string actor_id, SerialExecutor executor, std::shared_ptr<LoopGate> gate, ActorRequests& requests)
      : actor_id_(std::move(actor_id)), executor_(executor), gate_(std::move(gate)), requests_(requests) {}

  void Submit(proto::v7::KvRequestData request, internal::KvResponseCallback done) override {
    // Whoever waits for the answer (maybe blocked on a future) must hear back even when the
    // runner is gone.
    auto shared_done = std::make_shared<internal::KvResponseCallback>(std::move(done));
    const bool posted = gate_->Post([requests = &requests_, actor_id = actor_id_, request = std::move(request),
                                     shared_done]() mutable {
      requests->SubmitKv(actor_id, std::move(request), std::move(*shared_done));
    });
    if (!posted) (*shared_done)(absl::CancelledError("the runner has stopped"));
  }
  void PostToActor(std::function<void()> fn) override { executor_.Post(std::move(fn)); }

 private:
  std::string actor_id_;
  SerialExecutor executor_;
  std::shared_ptr<LoopGate> gate_;
  ActorRequests& requests_;
};

ActorRuntime::ActorRuntime(ActorInfo info, WorkerPool& pool, std::shared_ptr<LoopGate> gate,
                           ActorRequests& requests)
    : info_(std::move(info)),
      executor_(pool),
      gate_(std::move(gate)),
      requests_(requests),
      kv_(std::make_shared<Channel>(info_.actor_id, executor_, gate_, requests_)) {}

void ActorRuntime::Sleep() {
  gate_->Post([r = &requests_, id = info_.actor_id, gen = info_.generation] { r->RequestSleep(id, gen); });
}

void ActorRuntime::Destroy() {
  gate_->Post([r = &requests_, id = info_.actor_id, gen = info_.generation] { r->RequestDestroy(id, gen); });
}

void ActorRuntime::Stop() {
  gate_->Post([r = &requests_, id = info_.actor_id, gen = info_.generation] { r->RequestStop(id, gen); });
}

void ActorRuntime::SetAlarm(std::chrono::system_clock::time_point when) {
  gate_->Post([r = &requests_, id = info_.actor_id, gen = info_.generation, when] { r->RequestAlarm(id, gen, when); });
}

void ActorRuntime::ClearAlarm() {
  gate_->Post([r = &requests_, id = info_.actor_id, gen = info_.generation] { r->RequestAlarm(id, gen, std::nullopt); });
}

absl::StatusOr<std::vector<std::shared_ptr<WebSocket>>> ActorRuntime::RestoreWebSockets(
    std::vector<StoredWebSocket> stored) {
  using Result = absl::StatusOr<std::vector<std::shared_ptr<WebSocket>>>;
  auto promise = std::make_shared<std::promise<Result>>();
  std::future<Result> result = promise->get_future();
  const bool posted = gate_->Post([r = &requests_, id = info_.actor_id, gen = info_.generation,
                                   stored = std::move(stored), promise]() mutable {
    promise->set_value(r->RestoreWebSockets(id, gen, std::move(stored)));
  });
  if (!posted) return absl::CancelledError("the runner has stopped");
  try {
    return result.get();
  } catch (const std::future_error&) {
    // The loop ended before it ran the request.
    return absl::CancelledError("the runner has stopped");
  }
}

std::vector<std::shared_ptr<WebSocket>> ActorRuntime::WebSockets() const {
  std::lock_guard lock(sockets_mutex_);
  return sockets_;
}

void ActorRuntime::AddWebSocket(std::shared_ptr<WebSocket> socket) {
  std::lock_guard lock(sockets_mutex_);
  sockets_.push_back(std::move(socket));
}

void ActorRuntime::RemoveWebSocket(const WebSocket* socket) {
  std::lock_guard lock(sockets_mutex_);
  std::erase_if(sockets_, [socket](const std::shared_ptr<WebSocket>& s) { return s.get() == socket; });
}

}  // namespace tether::actors
