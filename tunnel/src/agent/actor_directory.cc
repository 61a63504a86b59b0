#include "agent/actor_directory.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace tether::agent {
namespace {

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void ActorActivity::Touch() { last_activity_ns.store(NowNs(), std::memory_order_relaxed); }

std::chrono::steady_clock::duration ActorActivity::IdleFor() const {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::nanoseconds(NowNs() - last_activity_ns.load(std::memory_order_relaxed)));
}

void ActorDirectory::Add(Actor& actor, std::shared_ptr<ActorActivity> activity) {
  std::lock_guard lock(mutex_);
  actors_[actor.info().actor_id] = {&actor, std::move(activity)};
}

void ActorDirectory::Remove(const Actor& actor) {
  std::lock_guard lock(mutex_);
  const auto found = actors_.find(actor.info().actor_id);
  if (found != actors_.end() && found->second.actor == &actor) actors_.erase(found);
}

std::size_t ActorDirectory::size() const {
  std::lock_guard lock(mutex_);
  return actors_.size();
}

std::vector<ActorSummary> ActorDirectory::List() const {
  std::lock_guard lock(mutex_);
  std::vector<ActorSummary> summaries;
  for (const auto& [id, entry] : actors_) {
    summaries.push_back({entry.actor->info(), entry.activity->requests_in_flight.load(),
                         entry.activity->open_sockets.load(), entry.activity->IdleFor()});
  }
  return summaries;
}

absl::Status ActorDirectory::Sleep(const std::string& actor_id) { return Command(actor_id, &Actor::Sleep); }

absl::Status ActorDirectory::Destroy(const std::string& actor_id) { return Command(actor_id, &Actor::Destroy); }

absl::Status ActorDirectory::Command(const std::string& actor_id, void (Actor::*command)()) {
  std::lock_guard lock(mutex_);
  const auto found = actors_.find(actor_id);
  if (found == actors_.end()) return absl::NotFoundError(absl::StrCat("actor ", actor_id, " is not running here"));
  (found->second.actor->*command)();
  return absl::OkStatus();
}

int ActorDirectory::SleepIdle(std::chrono::steady_clock::duration idle_after) {
  std::lock_guard lock(mutex_);
  int asked = 0;
  for (auto& [id, entry] : actors_) {
    ActorActivity& activity = *entry.activity;
    if (activity.sleep_requested.load() || activity.requests_in_flight.load() > 0 ||
        activity.pinning_sockets.load() > 0 || activity.IdleFor() < idle_after) {
      continue;
    }
    activity.sleep_requested = true;
    entry.actor->Sleep();
    ++asked;
  }
  return asked;
}

}  // namespace tether::agent
