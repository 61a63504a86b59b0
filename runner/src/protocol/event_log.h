// EventLog: the events this runner sent about its actors, kept until the engine acknowledges them.
//
// Events are numbered per (actor, generation) from 0. The engine acknowledges them only in
// batches (after 250 events of an actor), so most events are never acknowledged; but an event
// lost in a dropped connection (say, an actor's Stopped) would leave the engine waiting, so every
// unacknowledged event is sent again after each reconnect. The engine ignores indexes it has seen.
// Events of actors that have left this runner are kept a while longer for the same reason.
//
// Threading: network thread only.
#ifndef TETHER_RUNNER_PROTOCOL_EVENT_LOG_H_
#define TETHER_RUNNER_PROTOCOL_EVENT_LOG_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tether/proto/runner_protocol_v7.h"

namespace tether::protocol {

class EventLog {
 public:
  using Clock = std::chrono::steady_clock;

  // Numbers `event` for the actor's generation and keeps it; returns what to send.
  proto::v7::EventWrapper Append(const std::string& actor_id, std::uint32_t generation, proto::v7::Event event);
  // Drops the events the engine acknowledged.
  void Acknowledge(const std::vector<proto::v7::ActorCheckpoint>& checkpoints);
  // Every kept event, oldest first per actor, for resending after a reconnect.
  std::vector<proto::v7::EventWrapper> Unacknowledged() const;
  // The actor left this runner at `now`; its events are dropped by Expire once older than the
  // retention given there.
  void Retire(const std::string& actor_id, std::uint32_t generation, Clock::time_point now);
  void Expire(Clock::time_point cutoff);

 private:
  struct Stream {
    std::int64_t next_index = 0;
    std::deque<proto::v7::EventWrapper> pending;
    bool retired = false;
    Clock::time_point retired_at{};
  };
  std::map<std::pair<std::string, std::uint32_t>, Stream> streams_;
};

}  // namespace tether::protocol

#endif  // TETHER_RUNNER_PROTOCOL_EVENT_LOG_H_
