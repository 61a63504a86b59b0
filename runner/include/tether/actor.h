// How a program hosts actors: it implements ActorInstance for each kind of actor and registers a
// factory for it with the Runner under the actor's name. The engine decides where and when an
// actor runs; the runner creates an instance for every start (first start, wake from sleep,
// restart after a crash, migration from another runner) and destroys it after the stop. State that
// must survive a stop lives in the actor's Kv.
//
// Threading: the calls on one ActorInstance (OnStart, OnAlarm, OnStop, and Kv callbacks) run one
// at a time on the actor's serial executor; different actors run in parallel on the runner's
// actor threads, never on its network thread. Actor's member functions are thread-safe.
//
// Asynchronous actors: a program whose actor code finishes later or elsewhere (a JavaScript
// runtime behind the Node addon, an event loop of its own) overrides the *Async forms of the
// hooks instead. They too run on the actor's executor, but return at once and call their
// completion later, from any thread, exactly once; meanwhile the executor runs the actor's next
// calls, so one slow request does not hold up the others.
#ifndef TETHER_ACTOR_H_
#define TETHER_ACTOR_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tether/http.h"
#include "tether/kv.h"
#include "tether/websocket.h"

namespace tether {

// What the engine says about the actor being started.
struct ActorInfo {
  std::string actor_id;
  std::string name;
  std::optional<std::string> key;
  // +1 on every start anywhere; stale messages of older generations are ignored.
  std::uint32_t generation = 0;
  // When the engine built the start command, ms since the epoch.
  std::int64_t create_ts_ms = 0;
  // The input given when the actor was created (bytes), if any.
  std::optional<std::string> input;
  // The hibernatable WebSockets the engine kept open for this actor while it was stopped. The
  // runner restores them itself, unless RunnerConfig::host_managed_state makes that the
  // program's job (Actor::RestoreWebSockets).
  std::vector<WebSocketIds> hibernating_sockets;
};

// Why an actor stops, as far as the runner knows (Actor::stop_reason, during OnStop).
enum class StopReason {
  kNone,           // it is not stopping
  kSleep,          // it asked to sleep (Actor::Sleep)
  kDestroy,        // it asked to be destroyed (Actor::Destroy)
  kEngine,         // the engine stopped it: a drain, a destroy through the API, Actor::Stop
  kMoved,          // the engine gave it to another runner while this one was unreachable
  kStartFailed,    // its start failed
  kRunnerStopped,  // this runner stopped (Runner::Close, a drain that timed out, a fatal error)
};

// The runner's side of a running actor, handed to its ActorInstance. Valid from OnStart until
// OnStop returns; requests made after the actor stopped are ignored.
class Actor {
 public:
  virtual ~Actor() = default;

  virtual const ActorInfo& info() const = 0;
  virtual Kv& kv() = 0;

  // Asks the engine to put the actor to sleep: it is stopped (OnStop), and started again on the
  // next request or when its alarm is due.
  virtual void Sleep() = 0;
  // Asks the engine to stop and destroy the actor; its Kv is deleted.
  virtual void Destroy() = 0;
  // Asks the engine to stop the actor as failed: it applies the actor's crash policy, as after a
  // crash (e.g. when the program could not start it).
  virtual void Stop() = 0;
  // Calls OnAlarm at `when`. If the actor sleeps meanwhile, the engine wakes it then, and OnAlarm
  // runs right after OnStart. One alarm per actor: setting replaces it.
  virtual void SetAlarm(std::chrono::system_clock::time_point when) = 0;
  virtual void ClearAlarm() = 0;
  // Runs `fn` on the actor's serial executor, e.g. from another thread.
  virtual void Post(std::function<void()> fn) = 0;
  // The actor's open WebSockets, including hibernatable ones restored for this start (those get
  // no OnWebSocketOpen): how an actor that woke up finds its clients again.
  virtual std::vector<std::shared_ptr<WebSocket>> WebSockets() const = 0;
  // Why the actor is stopping; kNone before OnStop.
  virtual StopReason stop_reason() const = 0;
  // RunnerConfig::host_managed_state only, during OnStart: brings back the hibernatable sockets
  // the program stored. Each stored socket the engine listed (ActorInfo::hibernating_sockets)
  // comes back open, continuing at its stored indexes, in the returned list at its position in
  // `stored` (nullptr for sockets the engine did not list: the program deletes those). Listed
  // sockets the program did not store are closed (1000 `ws.meta_not_found_during_restore`).
  // Client messages reach the restored sockets once the start has finished. A start that ends
  // without calling this closes every listed socket. Called twice or without host-managed state:
  // FailedPrecondition.
  virtual absl::StatusOr<std::vector<std::shared_ptr<WebSocket>>> RestoreWebSockets(
      std::vector<StoredWebSocket> stored) = 0;
};

class ActorInstance {
 public:
  virtual ~ActorInstance() = default;

  // The actor starts. Returning an error (or throwing) fails the start: the engine is told the
  // actor stopped with that message and applies its crash policy. The engine counts the actor as
  // running when this returns OK.
  virtual absl::Status OnStart(Actor& actor) = 0;
  // The actor's alarm is due.
  virtual void OnAlarm(Actor& actor) { (void)actor; }
  // The actor stops (sleep, destroy, drain, migration). Kv still works here.
  virtual void OnStop(Actor& actor) { (void)actor; }
  // An HTTP request through the engine's gateway. Throwing answers 500; a body over
  // kMaxHttpBodyBytes answers 500 too. Requests that arrive while the actor starts wait for it.
  virtual HttpResponse OnFetch(Actor& actor, const HttpRequest& request);
  // A client opens a WebSocket to the actor (see tether/websocket.h); the default refuses it.
  // The engine gives the actor 15 s to decide.
  virtual WebSocketAcceptance OnWebSocketOpen(Actor& actor, WebSocket& socket);
  virtual void OnWebSocketMessage(Actor& actor, WebSocket& socket, const std::string& data, bool binary) {
    (void)actor, (void)socket, (void)data, (void)binary;
  }
  // The same, with the message's index as the engine counts the client's messages (u16,
  // wrapping): what a program that stores its hibernatable sockets itself persists and
  // acknowledges (WebSocket::Acknowledge). The default calls OnWebSocketMessage.
  virtual void OnWebSocketIndexedMessage(Actor& actor, WebSocket& socket, const std::string& data, bool binary,
                                         std::uint16_t index) {
    (void)index;
    OnWebSocketMessage(actor, socket, data, binary);
  }
  // The client closed the socket, or the connection to it was lost.
  virtual void OnWebSocketClose(Actor& actor, WebSocket& socket, std::uint16_t code, const std::string& reason) {
    (void)actor, (void)socket, (void)code, (void)reason;
  }

  // Asynchronous forms (see "Asynchronous actors" above); each default calls the synchronous one.
  // The start counts as finished, and the actor as running, when `done` is called.
  virtual void OnStartAsync(Actor& actor, std::function<void(absl::Status)> done) { done(OnStart(actor)); }
  // Kv still works until `done` is called; the engine hears of the stop after it.
  virtual void OnStopAsync(Actor& actor, std::function<void()> done) {
    OnStop(actor);
    done();
  }
  // Requests of one actor may be answered in any order.
  virtual void OnFetchAsync(Actor& actor, HttpRequest request, std::function<void(HttpResponse)> respond) {
    respond(OnFetch(actor, request));
  }
  // The socket stays valid while the program holds it; client messages wait for the decision.
  virtual void OnWebSocketOpenAsync(Actor& actor, std::shared_ptr<WebSocket> socket,
                                    std::function<void(WebSocketAcceptance)> decide) {
    decide(OnWebSocketOpen(actor, *socket));
  }
};

using ActorFactory = std::function<std::unique_ptr<ActorInstance>(const ActorInfo&)>;

}  // namespace tether

#endif  // TETHER_ACTOR_H_
