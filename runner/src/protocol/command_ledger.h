// CommandLedger: which engine commands this runner has already applied.
//
// The engine stores every command until the runner acknowledges it, and re-sends all stored
// commands after each (re)connect. Acknowledgements are rare (the engine deletes acknowledged
// commands, so acking often costs it writes), which means a reconnecting runner routinely sees
// commands it already applied. Applying a replayed StartActor again would restart a running
// actor, so the ledger keeps, per (actor, generation), the highest command index applied and
// the newest generation seen per actor; anything at or below is a replay and is skipped.
//
// Threading: network thread only.
#ifndef TETHER_RUNNER_PROTOCOL_COMMAND_LEDGER_H_
#define TETHER_RUNNER_PROTOCOL_COMMAND_LEDGER_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tether/proto/runner_protocol_v7.h"

namespace tether::protocol {

class CommandLedger {
 public:
  using Clock = std::chrono::steady_clock;

  // True if the command at `checkpoint` is new and must be applied; records it as applied.
  bool Admit(const proto::v7::ActorCheckpoint& checkpoint);

  // The last applied index of every (actor, generation) not yet acknowledged, for
  // ToServerAckCommands. Empty when there is nothing new to acknowledge.
  std::vector<proto::v7::ActorCheckpoint> PendingAcks() const;
  // Records that `acks` (from PendingAcks) were sent at `now`.
  void MarkAcked(const std::vector<proto::v7::ActorCheckpoint>& acks, Clock::time_point now);
  // Forgets actors that have stopped here and whose commands were acknowledged before `cutoff`:
  // by then the engine has deleted them and will not replay them. Returns the forgotten ids.
  std::vector<std::string> ForgetStopped(const std::vector<std::string>& stopped_actor_ids, Clock::time_point cutoff);

 private:
  struct Entry {
    std::int64_t applied = -1;
    std::int64_t acked = -1;
    Clock::time_point acked_at{};
  };
  using Key = std::pair<std::string, std::uint32_t>;  // (actor id, generation)

  std::map<Key, Entry> entries_;
  std::map<std::string, std::uint32_t> newest_generation_;
};

}  // namespace tether::protocol

#endif  // TETHER_RUNNER_PROTOCOL_COMMAND_LEDGER_H_
