#include "agent/actor_events.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace tether::agent {

void ActorEventQueue::Push(ActorEvent event) {
  {
    std::lock_guard lock(mutex_);
    if (!closed_.ok()) return;
    if (events_.size() >= capacity_) {
      closed_ = absl::ResourceExhaustedError(
          absl::StrCat("the watcher fell more than ", capacity_, " events behind; watch again"));
    } else {
      events_.push_back(std::move(event));
    }
  }
  changed_.notify_all();
}

void ActorEventQueue::Close(absl::Status reason) {
  {
    std::lock_guard lock(mutex_);
    if (closed_.ok()) closed_ = std::move(reason);
  }
  changed_.notify_all();
}

absl::StatusOr<std::optional<ActorEvent>> ActorEventQueue::Pop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [this] { return !events_.empty() || !closed_.ok(); });
  if (!events_.empty()) {
    ActorEvent event = std::move(events_.front());
    events_.pop_front();
    return event;
  }
  if (!closed_.ok()) return closed_;
  return std::nullopt;
}

}  // namespace tether::agent
