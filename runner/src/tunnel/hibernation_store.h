// HibernationStore: where a hibernatable WebSocket's state lives while its actor is away — one
// record per socket in the actor's own KV, under the runner's reserved prefix, so it moves with
// the actor to whichever runner starts it next (proto/schemas/hibernating_socket.bare).
//
// Threading: network thread only; `done` callbacks run there too.
#ifndef TETHER_RUNNER_TUNNEL_HIBERNATION_STORE_H_
#define TETHER_RUNNER_TUNNEL_HIBERNATION_STORE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kv/kv_channel.h"
#include "tether/proto/hibernating_socket.h"
#include "tether/proto/runner_protocol_v7.h"
#include "tunnel/request_key.h"

namespace tether::tunnel {

using proto::hibernation::HibernatingSocket;

class HibernationStore {
 public:
  using KvFn = std::function<void(const std::string& actor_id, proto::v7::KvRequestData request,
                                  internal::KvResponseCallback done)>;

  explicit HibernationStore(KvFn kv) : kv_(std::move(kv)) {}

  // The record's encoding, or InvalidArgument if it is over the engine's value size limit.
  static absl::StatusOr<bare::Bytes> Encode(const HibernatingSocket& record);
  static bool IsRecordKey(const bare::Bytes& key);
  static RequestKey KeyOf(const HibernatingSocket& record) { return {record.gateway_id, record.request_id}; }

  // Stores the records (in as few KV puts as the engine's limits allow); `done` gets the first
  // error, if any.
  void Save(const std::string& actor_id, const std::vector<HibernatingSocket>& records,
            std::function<void(absl::Status)> done);
  void Remove(const std::string& actor_id, const RequestKey& key);
  // The records among a listing of the actor's reserved keys; undecodable ones are logged and
  // skipped (a socket without a record is refused on restore, which the client sees as a close).
  static std::vector<HibernatingSocket> Parse(const std::string& actor_id, const proto::v7::KvListResponse& listing);

 private:
  KvFn kv_;
};

}  // namespace tether::tunnel

#endif  // TETHER_RUNNER_TUNNEL_HIBERNATION_STORE_H_
