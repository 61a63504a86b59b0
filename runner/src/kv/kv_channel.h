// The internal side of tether::Kv: how one actor's Kv reaches the runner's network thread.
//
// Threading: Submit and PostToActor may be called from any thread.
#ifndef TETHER_RUNNER_KV_KV_CHANNEL_H_
#define TETHER_RUNNER_KV_KV_CHANNEL_H_

#include <functional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tether/proto/runner_protocol_v7.h"

namespace tether::internal {

using KvResponseCallback = std::function<void(absl::StatusOr<proto::v7::KvResponseData>)>;

class KvChannel {
 public:
  virtual ~KvChannel() = default;
  // Sends a request that passed CheckKvLimits. `done` runs on the network thread, once, with the
  // engine's answer or an error (timeout, runner stopped).
  virtual void Submit(proto::v7::KvRequestData request, KvResponseCallback done) = 0;
  // Runs `fn` on the actor's serial executor.
  virtual void PostToActor(std::function<void()> fn) = 0;
};

// Keys the runner keeps in an actor's KV for itself (its alarm) start with this; programs can
// neither write nor see them.
inline constexpr std::string_view kReservedKeyPrefix("\0tether:", 8);

// Checks a request against the engine's limits (tether::KvLimits); the error names the limit.
absl::Status CheckKvLimits(const proto::v7::KvRequestData& request);

}  // namespace tether::internal

#endif  // TETHER_RUNNER_KV_KV_CHANNEL_H_
