#include "agent/actor_directory.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tether::agent {
namespace {

// Events a watcher may let pile up before it is dropped.
constexpr std::size_t kWatcherQueueCapacity = 4096;

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What a stopped or alarm event says about its actor.
ActorInfo IdentityOf(const ActorInfo& info) {
  ActorInfo identity;
  identity.actor_id = info.actor_id;
  identity.generation = info.generation;
  return identity;
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
  Publish({ActorEvent::Kind::kStarted, actor.info()});
}

void ActorDirectory::Remove(const Actor& actor) {
  std::lock_guard lock(mutex_);
  const auto found = actors_.find(actor.info().actor_id);
  if (found == actors_.end() || found->second.actor != &actor) return;
  actors_.erase(found);
  Publish({ActorEvent::Kind::kStopped, IdentityOf(actor.info())});
}

void ActorDirectory::NotifyAlarm(const Actor& actor) {
  std::lock_guard lock(mutex_);
  Publish({ActorEvent::Kind::kAlarm, IdentityOf(actor.info())});
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

absl::Status ActorDirectory::Sleep(const std::string& actor_id) {
  return Command(actor_id, [](Actor& actor) { actor.Sleep(); });
}

absl::Status ActorDirectory::Destroy(const std::string& actor_id) {
  return Command(actor_id, [](Actor& actor) { actor.Destroy(); });
}

absl::Status ActorDirectory::SetAlarm(const std::string& actor_id, std::chrono::system_clock::time_point when) {
  return Command(actor_id, [when](Actor& actor) { actor.SetAlarm(when); });
}

absl::Status ActorDirectory::ClearAlarm(const std::string& actor_id) {
  return Command(actor_id, [](Actor& actor) { actor.ClearAlarm(); });
}

absl::StatusOr<Kv> ActorDirectory::KvOf(const std::string& actor_id) {
  std::optional<Kv> kv;
  absl::Status found = Command(actor_id, [&kv](Actor& actor) { kv.emplace(actor.kv()); });
  if (!found.ok()) return found;
  return *std::move(kv);
}

std::shared_ptr<ActorEventQueue> ActorDirectory::Watch() {
  auto queue = std::make_shared<ActorEventQueue>(kWatcherQueueCapacity);
  std::lock_guard lock(mutex_);
  for (const auto& [id, entry] : actors_) queue->Push({ActorEvent::Kind::kStarted, entry.actor->info()});
  watchers_.push_back(queue);
  return queue;
}

void ActorDirectory::CloseWatches(const absl::Status& reason) {
  std::lock_guard lock(mutex_);
  for (const std::weak_ptr<ActorEventQueue>& watcher : watchers_) {
    if (std::shared_ptr<ActorEventQueue> queue = watcher.lock()) queue->Close(reason);
  }
  watchers_.clear();
}

void ActorDirectory::Publish(const ActorEvent& event) {
  std::erase_if(watchers_, [&event](const std::weak_ptr<ActorEventQueue>& watcher) {
    std::shared_ptr<ActorEventQueue> queue = watcher.lock();
    if (queue) queue->Push(event);
    return queue == nullptr;
  });
}

absl::Status ActorDirectory::Command(const std::string& actor_id, const std::function<void(Actor&)>& command) {
  std::lock_guard lock(mutex_);
  const auto found = actors_.find(actor_id);
  if (found == actors_.end()) return absl::NotFoundError(absl::StrCat("actor ", actor_id, " is not running here"));
  command(*found->second.actor);
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
