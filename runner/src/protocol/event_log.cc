#include "protocol/event_log.h"

namespace tether::protocol {

proto::v7::EventWrapper EventLog::Append(const std::string& actor_id, std::uint32_t generation,
                                         proto::v7::Event event) {
  Stream& stream = streams_[{actor_id, generation}];
  proto::v7::EventWrapper wrapper{{actor_id, generation, stream.next_index++}, std::move(event)};
  stream.pending.push_back(wrapper);
  return wrapper;
}

void EventLog::Acknowledge(const std::vector<proto::v7::ActorCheckpoint>& checkpoints) {
  for (const auto& checkpoint : checkpoints) {
    auto it = streams_.find({checkpoint.actor_id, checkpoint.generation});
    if (it == streams_.end()) continue;
    auto& pending = it->second.pending;
    while (!pending.empty() && pending.front().checkpoint.index <= checkpoint.index) pending.pop_front();
    if (pending.empty() && it->second.retired) streams_.erase(it);
  }
}

std::vector<proto::v7::EventWrapper> EventLog::Unacknowledged() const {
  std::vector<proto::v7::EventWrapper> events;
  for (const auto& [key, stream] : streams_) events.insert(events.end(), stream.pending.begin(), stream.pending.end());
  return events;
}

void EventLog::Retire(const std::string& actor_id, std::uint32_t generation, Clock::time_point now) {
  auto it = streams_.find({actor_id, generation});
  if (it == streams_.end()) return;
  it->second.retired = true;
  it->second.retired_at = now;
}

void EventLog::Expire(Clock::time_point cutoff) {
  std::erase_if(streams_, [cutoff](const auto& item) {
    const Stream& s = item.second;
    return s.retired && (s.pending.empty() || s.retired_at < cutoff);
  });
}

}  // namespace tether::protocol
