#include "protocol/command_ledger.h"

namespace tether::protocol {

bool CommandLedger::Admit(const proto::v7::ActorCheckpoint& checkpoint) {
  auto [newest, first] = newest_generation_.try_emplace(checkpoint.actor_id, checkpoint.generation);
  // A command of an older generation is a replay of a life the actor has already left.
  if (!first && checkpoint.generation < newest->second) return false;
  newest->second = checkpoint.generation;
  Entry& entry = entries_[{checkpoint.actor_id, checkpoint.generation}];
  if (checkpoint.index <= entry.applied) return false;
  entry.applied = checkpoint.index;
  return true;
}

std::vector<proto::v7::ActorCheckpoint> CommandLedger::PendingAcks() const {
  std::vector<proto::v7::ActorCheckpoint> acks;
  for (const auto& [key, entry] : entries_) {
    if (entry.applied > entry.acked) acks.push_back({key.first, key.second, entry.applied});
  }
  return acks;
}

void CommandLedger::MarkAcked(const std::vector<proto::v7::ActorCheckpoint>& acks, Clock::time_point now) {
  for (const auto& ack : acks) {
    auto it = entries_.find({ack.actor_id, ack.generation});
    if (it == entries_.end() || ack.index < it->second.acked) continue;
    it->second.acked = ack.index;
    it->second.acked_at = now;
  }
}

std::vector<std::string> CommandLedger::ForgetStopped(const std::vector<std::string>& stopped_actor_ids,
                                                      Clock::time_point cutoff) {
  std::vector<std::string> forgotten;
  for (const std::string& actor_id : stopped_actor_ids) {
    bool all_acked_early = true;
    auto first = entries_.lower_bound({actor_id, 0});
    auto last = first;
    for (; last != entries_.end() && last->first.first == actor_id; ++last) {
      all_acked_early = all_acked_early && last->second.acked == last->second.applied && last->second.acked_at < cutoff;
    }
    if (!all_acked_early) continue;
    entries_.erase(first, last);
    newest_generation_.erase(actor_id);
    forgotten.push_back(actor_id);
  }
  return forgotten;
}

}  // namespace tether::protocol
