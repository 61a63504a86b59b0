// KvClient: the network-thread side of every actor's KV requests. It numbers requests, matches
// the engine's answers to them, holds requests while the runner is disconnected and sends them
// (again) after the next Init — the engine does not replay answers lost with a connection, and
// every KV operation is idempotent — and fails requests not answered in time.
//
// Threading: network thread only.
#ifndef TETHER_RUNNER_KV_KV_CLIENT_H_
#define TETHER_RUNNER_KV_KV_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "kv/kv_channel.h"
#include "net/event_loop.h"

namespace tether::kv {

class KvClient {
 public:
  using SendFn = std::function<void(proto::v7::ToServer)>;

  KvClient(net::EventLoop& loop, std::chrono::milliseconds timeout, SendFn send);

  void Submit(std::string actor_id, proto::v7::KvRequestData request, internal::KvResponseCallback done);
  void OnResponse(proto::v7::ToClientKvResponse response);
  // Sends every request still waiting for an answer.
  void OnConnected();
  void OnDisconnected();
  // Fails every waiting request with `status` (the runner stops).
  void FailAll(const absl::Status& status);

 private:
  struct Pending {
    std::string actor_id;
    proto::v7::KvRequestData request;
    internal::KvResponseCallback done;
    std::chrono::steady_clock::time_point deadline;
  };

  void SendRequest(std::uint32_t id, const Pending& pending);
  void ScheduleSweep();
  void Sweep();

  net::EventLoop& loop_;
  std::chrono::milliseconds timeout_;
  SendFn send_;
  bool connected_ = false;
  std::uint32_t next_id_ = 0;
  std::map<std::uint32_t, Pending> pending_;
  std::unique_ptr<net::Timer> sweep_;
};

}  // namespace tether::kv

#endif  // TETHER_RUNNER_KV_KV_CLIENT_H_
