// JsActor: the ActorInstance of every actor a JavaScript Runner hosts. Each hook becomes an event
// for JavaScript (lib/native.d.ts); the answers come back as completions (HostState tokens), so
// the runner's threads only queue work and never wait for JavaScript.
//
// Threading: hooks run on the network thread (RunnerConfig::actors_on_network_thread: they never
// block); completions may run on the JavaScript thread.
#ifndef TETHER_BINDINGS_NODE_JS_ACTOR_H_
#define TETHER_BINDINGS_NODE_JS_ACTOR_H_

#include <memory>
#include <string>

#include "host_state.h"
#include "tether/actor.h"

namespace tether::node {

class JsActor final : public ActorInstance {
 public:
  explicit JsActor(std::shared_ptr<HostState> host) : host_(std::move(host)) {}
  ~JsActor() override;

  // The synchronous forms are never used: the runner calls the asynchronous ones.
  absl::Status OnStart(Actor&) override { return absl::InternalError("unused"); }

  void OnStartAsync(Actor& actor, std::function<void(absl::Status)> done) override;
  void OnStopAsync(Actor& actor, std::function<void()> done) override;
  void OnFetchAsync(Actor& actor, HttpRequest request, std::function<void(HttpResponse)> respond) override;
  void OnWebSocketOpenAsync(Actor& actor, std::shared_ptr<WebSocket> socket,
                            std::function<void(WebSocketAcceptance)> decide) override;
  void OnWebSocketIndexedMessage(Actor& actor, WebSocket& socket, const std::string& data, bool binary,
                                 std::uint16_t index) override;
  void OnWebSocketClose(Actor& actor, WebSocket& socket, std::uint16_t code, const std::string& reason) override;

 private:
  std::shared_ptr<HostState> host_;
  Actor* actor_ = nullptr;  // from OnStartAsync; listed in HostState until destruction
  std::string actor_id_;
};

}  // namespace tether::node

#endif  // TETHER_BINDINGS_NODE_JS_ACTOR_H_
