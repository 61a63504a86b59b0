// Runner: hosts Rivet actors for the engine. It keeps one outbound WebSocket to the engine
// (runner protocol v7), starts and stops actors as the engine commands, stores their state in the
// engine's KV, and reconnects with backoff when the connection drops.
//
//   auto runner = tether::Runner::Create(*tether::RunnerConfig::FromEnv());
//   (*runner)->RegisterActor("counter", [](const tether::ActorInfo&) { return std::make_unique<Counter>(); });
//   tether::StopOnTerminationSignals(**runner);   // SIGTERM/SIGINT drain the runner
//   (*runner)->Start();
//   return (*runner)->Wait().ok() ? 0 : 1;
//
// Fatal problems (unknown namespace, rejected token or protocol version, eviction by another
// runner with the same key, giving up reconnecting) stop the runner; Wait() returns them.
//
// Threading: all member functions are thread-safe. The runner owns one network thread (pings are
// answered there however busy actors are) and RunnerConfig::actor_threads threads for actor code.
#ifndef TETHER_RUNNER_H_
#define TETHER_RUNNER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tether/actor.h"
#include "tether/config.h"

namespace tether {

// What the engine told the runner when it accepted it (runner protocol v7 ProtocolMetadata).
struct EngineMetadata {
  std::string runner_id;
  // After this long without the runner, the engine gives its actors to other runners.
  std::chrono::milliseconds runner_lost_threshold{0};
  // How long the engine waits for an actor to stop before it counts it as stopped.
  std::chrono::milliseconds actor_stop_threshold{0};
  // Serverless runners only: how long a draining runner has before its request ends.
  std::optional<std::chrono::milliseconds> serverless_drain_grace_period;
};

// What a program can watch of a runner, e.g. for metrics and readiness. Called on the runner's
// network thread: return quickly and never block.
class RunnerObserver {
 public:
  virtual ~RunnerObserver() = default;
  // The engine accepted the runner (first connect or reconnect).
  virtual void OnConnected(const EngineMetadata& engine) { (void)engine; }
  // The connection dropped (the runner reconnects by itself), or the runner stopped; with the
  // WebSocket close code and reason (0 and empty when it broke without a close frame).
  virtual void OnDisconnected(std::uint16_t code, const std::string& reason) { (void)code, (void)reason; }
  // The runner has stopped for good: OK after Stop() or Close(), the fatal error otherwise (what
  // Wait() returns). The last call an observer gets.
  virtual void OnStopped(const absl::Status& result) { (void)result; }
  // The runner started draining (Runner::Stop).
  virtual void OnDraining() {}
  // One of the actors' KV requests got its answer (or failed) after `latency`.
  virtual void OnKvRequest(std::chrono::microseconds latency, bool ok) { (void)latency, (void)ok; }
};

class Runner {
 public:
  // Validates the config; nothing connects before Start().
  static absl::StatusOr<std::unique_ptr<Runner>> Create(RunnerConfig config);
  // Stops at once (no drain) if still running.
  virtual ~Runner() = default;

  // Registers the factory for actors named `name`; before Start(). The engine only schedules
  // actors of names the program hosts, so a start for an unknown name fails that actor.
  virtual void RegisterActor(std::string name, ActorFactory factory) = 0;
  // Used for names without their own factory (e.g. a tunnel agent that hosts any actor).
  virtual void SetDefaultActor(ActorFactory factory) = 0;

  // Before Start(); `observer` must outlive the runner. Several runners may share one.
  virtual void SetObserver(RunnerObserver* observer) = 0;

  // Starts connecting in the background. FailedPrecondition if called twice.
  virtual absl::Status Start() = 0;
  // Drains: tells the engine this runner is stopping, accepts no new actors, lets the engine stop
  // (and move) its actors, waits up to RunnerConfig::drain_timeout, then closes. Returns at once.
  virtual void Stop() = 0;
  // Ends the runner now, without a drain: closes the engine connection (the engine reschedules
  // its actors after its runner-lost threshold; hibernatable sockets stay with the engine), fails
  // waiting KV requests and stops the local actors. Returns at once; Wait() reports OK.
  virtual void Close() = 0;
  // Blocks until the runner has stopped. OK after a requested stop; the fatal error otherwise.
  virtual absl::Status Wait() = 0;
  // Like Wait(), giving up after `timeout` (nullopt: still running).
  virtual std::optional<absl::Status> WaitFor(std::chrono::milliseconds timeout) = 0;

  // The runner id the engine assigned at the last connect; empty before the first.
  virtual std::string runner_id() const = 0;
  // What the engine said at the last connect; nullopt before the first.
  virtual std::optional<EngineMetadata> engine_metadata() const = 0;
};

// Drains `runner` (Runner::Stop) when the process receives SIGTERM or SIGINT. Call once, from the
// main thread, before Runner::Start() and before starting other threads: it blocks those signals
// (threads created later inherit that) and waits for them on a thread of its own. `runner` must
// live until the process exits.
void StopOnTerminationSignals(Runner& runner);

// For programs that wait for SIGTERM/SIGINT themselves (e.g. serving a ServerlessServer): blocks
// both signals in the calling thread and the threads it starts later. Call from the main thread
// before starting other threads.
void BlockTerminationSignals();
// Waits up to `timeout` for SIGTERM or SIGINT, blocked with BlockTerminationSignals(); true if
// one came.
bool AwaitTerminationSignal(std::chrono::milliseconds timeout);

}  // namespace tether

#endif  // TETHER_RUNNER_H_
