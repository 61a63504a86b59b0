// The public Runner: owns the network thread (EventLoop), the actor threads (WorkerPool) and the
// RunnerCore that lives on the network thread, and reports how the runner ended.
#include "tether/runner.h"

#include <condition_variable>
#include <future>
#include <mutex>

#include "actors/loop_gate.h"
#include "actors/worker_pool.h"
#include "log.h"
#include "net/event_loop.h"
#include "runner_core.h"

namespace tether {
namespace {

class RunnerImpl final : public Runner {
 public:
  explicit RunnerImpl(RunnerConfig config) : config_(std::move(config)) { log::SetLevel(config_.log_level); }

  ~RunnerImpl() override {
    if (gate_ != nullptr) {
      // Stop the actors and fail waiting KV requests first, so that actor code blocked on a KV
      // future returns; then close the gate, so actor code still running cannot post to a dying loop.
      auto aborted = std::make_shared<std::promise<void>>();
      std::future<void> done = aborted->get_future();
      if (gate_->Post([core = core_.get(), aborted] {
            core->Abort(absl::CancelledError("the runner was destroyed before it stopped"));
            aborted->set_value();
          })) {
        done.wait_for(std::chrono::seconds(10));
      }
      gate_->Close();
    }
    loop_.reset();  // joins the network thread; RunnerCore is only touched there
    core_.reset();
    pool_.reset();  // lets queued actor work finish
  }

  void RegisterActor(std::string name, ActorFactory factory) override {
    std::lock_guard lock(mutex_);
    factories_[std::move(name)] = std::move(factory);
  }

  void SetDefaultActor(ActorFactory factory) override {
    std::lock_guard lock(mutex_);
    default_factory_ = std::move(factory);
  }

  void SetObserver(RunnerObserver* observer) override {
    std::lock_guard lock(mutex_);
    observer_ = observer;
  }

  absl::Status Start() override {
    std::lock_guard lock(mutex_);
    if (loop_ != nullptr) return absl::FailedPreconditionError("the runner was already started");
    loop_ = net::EventLoop::Create();
    gate_ = std::make_shared<actors::LoopGate>(loop_.get());
    pool_ = config_.actors_on_network_thread
                ? std::make_unique<actors::WorkerPool>([gate = gate_](std::function<void()> task) {
                    gate->Post(std::move(task));
                  })
                : std::make_unique<actors::WorkerPool>(config_.actor_threads);
    RunnerCore::Hooks hooks;
    hooks.observer = observer_;
    hooks.on_connected = [this](const EngineMetadata& engine) {
      std::lock_guard hook_lock(mutex_);
      engine_ = engine;
    };
    hooks.on_finished = [this](const absl::Status& status) {
      std::lock_guard hook_lock(mutex_);
      result_ = status;
      finished_.notify_all();
    };
    core_ = std::make_unique<RunnerCore>(config_, config_.runner_key, factories_, default_factory_, *loop_, *pool_,
                                         gate_, std::move(hooks));
    gate_->Post([core = core_.get()] { core->Start(); });
    return absl::OkStatus();
  }

  void Stop() override {
    std::lock_guard lock(mutex_);
    if (gate_ != nullptr) gate_->Post([core = core_.get()] { core->Drain(); });
  }

  void Close() override {
    std::lock_guard lock(mutex_);
    if (gate_ != nullptr) gate_->Post([core = core_.get()] { core->Abort(absl::OkStatus()); });
  }

  absl::Status Wait() override {
    std::unique_lock lock(mutex_);
    if (loop_ == nullptr) return absl::FailedPreconditionError("the runner was not started");
    finished_.wait(lock, [this] { return result_.has_value(); });
    return *result_;
  }

  std::optional<absl::Status> WaitFor(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mutex_);
    if (loop_ == nullptr) return absl::FailedPreconditionError("the runner was not started");
    if (!finished_.wait_for(lock, timeout, [this] { return result_.has_value(); })) return std::nullopt;
    return *result_;
  }

  std::string runner_id() const override {
    std::lock_guard lock(mutex_);
    return engine_ ? engine_->runner_id : std::string();
  }

  std::optional<EngineMetadata> engine_metadata() const override {
    std::lock_guard lock(mutex_);
    return engine_;
  }

 private:
  const RunnerConfig config_;
  mutable std::mutex mutex_;
  std::condition_variable finished_;
  std::map<std::string, ActorFactory> factories_;
  ActorFactory default_factory_;
  RunnerObserver* observer_ = nullptr;
  std::optional<EngineMetadata> engine_;
  std::optional<absl::Status> result_;

  // Destroyed in the order the destructor spells out.
  std::unique_ptr<actors::WorkerPool> pool_;
  std::unique_ptr<net::EventLoop> loop_;
  std::shared_ptr<actors::LoopGate> gate_;
  std::unique_ptr<RunnerCore> core_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Runner>> Runner::Create(RunnerConfig config) {
  if (absl::Status status = config.Validate(); !status.ok()) return status;
  return std::unique_ptr<Runner>(new RunnerImpl(std::move(config)));
}

}  // namespace tether
