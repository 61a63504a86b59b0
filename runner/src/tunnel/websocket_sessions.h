// WebSocketSessions: the tunneled WebSockets of a runner's actors. It asks the actor to accept a
// socket, carries messages both ways with per-direction u16 message indexes, closes from either
// side, and keeps the memory a socket may hold bounded (tether::WebSocketLimits).
//
// For hibernatable sockets it also does what lets a socket outlive its actor (see
// tether/websocket.h): it stores the socket's record before answering the open, stores the
// position of each message the actor's handler finished and only then acknowledges it to the
// engine (which replays unacknowledged messages after a restart), drops replayed messages it
// already handled, closes on a gap (1008 `ws.message_index_skip`), stores what is pending before
// the actor reports stopped, and on the next start restores the sockets the engine lists.
//
// Host-managed (RunnerConfig::host_managed_state): the program stores its hibernatable sockets
// and acknowledges messages itself (WebSocket::Acknowledge); the runner stores nothing, still
// drops replays and closes on gaps, and restores what the program hands to RestoreStored.
//
// Threading: network thread only; actor handlers run on the actor's executor.
#ifndef TETHER_RUNNER_TUNNEL_WEBSOCKET_SESSIONS_H_
#define TETHER_RUNNER_TUNNEL_WEBSOCKET_SESSIONS_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actors/actor_runtime.h"
#include "actors/loop_gate.h"
#include "net/event_loop.h"
#include "tether/config.h"
#include "tether/proto/runner_protocol_v7.h"
#include "tunnel/actor_lookup.h"
#include "tunnel/hibernation_store.h"
#include "tunnel/request_key.h"
#include "tunnel/socket_handle.h"

namespace tether::tunnel {

class WebSocketSessions {
 public:
  struct Hooks {
    // Sends to the engine; false when the link is down (the message is lost, as the engine
    // forgets tunnel state of a link that dropped).
    std::function<bool(proto::v7::ToServer)> send;
    ActorLookup lookup;
    HibernationStore::KvFn kv;
    // Bytes the engine link has queued but not yet written.
    std::function<std::size_t()> link_backlog;
    // Runs `fn` on the network thread after `delay`, unless the timer is destroyed first.
    std::function<std::unique_ptr<net::Timer>(std::chrono::milliseconds delay, std::function<void()> fn)> run_after;
  };

  WebSocketSessions(Hooks hooks, std::shared_ptr<actors::LoopGate> gate, WebSocketLimits limits, bool host_managed);

  void OnOpen(const proto::v7::MessageId& id, proto::v7::ToClientWebSocketOpen open);
  void OnClientMessage(const proto::v7::MessageId& id, proto::v7::ToClientWebSocketMessage message);
  void OnClientClose(const RequestKey& key, const proto::v7::ToClientWebSocketClose& close);

  // A start lists the sockets that hibernated: messages for them wait until Restore.
  void ExpectRestore(const std::string& actor_id, const std::vector<proto::v7::HibernatingRequest>& listed);
  // The actor's stored records were read: listed and stored sockets come back; listed ones
  // without a record are closed; unlisted records come back dormant (see Session::dormant),
  // or as listed with `keep_unlisted` (a start replayed after a reconnect lists none).
  void Restore(const std::string& actor_id, const std::shared_ptr<actors::ActorRuntime>& runtime,
               std::vector<HibernatingSocket> stored, bool keep_unlisted);
  // Host-managed: the program's stored sockets (see Actor::RestoreWebSockets). Listed sockets
  // without a stored entry are closed.
  absl::StatusOr<std::vector<std::shared_ptr<WebSocket>>> RestoreStored(
      const std::string& actor_id, const std::shared_ptr<actors::ActorRuntime>& runtime,
      std::vector<StoredWebSocket> stored);
  // The actor finished starting: sockets waiting for it open, restored ones get their messages.
  // Host-managed: listed sockets the program did not restore are closed.
  void OnActorRunning(const std::string& actor_id);
  // Stores the records of the actor's hibernatable sockets again (the program deleted them).
  void StoreAgain(const std::string& actor_id);
  // Stores the pending positions of the actor's hibernatable sockets, then runs `done`.
  void Settle(const std::string& actor_id, std::function<void()> done);
  // The actor left this runner: its sockets are forgotten here (the engine hibernates or closes
  // them).
  void OnActorGone(const std::string& actor_id);

  // From SocketHandle, on the network thread.
  void SendFromActor(const RequestKey& key, proto::v7::ToServerWebSocketMessage message);
  void CloseFromActor(const RequestKey& key, std::uint16_t code, std::string reason);
  void CloseFromRunner(const RequestKey& key, std::uint16_t code, std::string reason);
  void AttachmentChanged(const RequestKey& key);
  // Host-managed: the program stored the client's messages up to `index`.
  void AcknowledgeFromActor(const RequestKey& key, std::uint16_t index);

 private:
  enum class Phase { kAwaitingActor, kDeciding, kStoring, kOpen };
  struct Session {
    proto::v7::MessageId id;
    std::string actor_id;
    std::shared_ptr<SocketHandle> handle;
    Phase phase = Phase::kAwaitingActor;
    bool hibernatable = false;
    // Client messages wait in the inbox until the socket is open and its actor runs.
    bool ready = false;
    // The actor's messages wait in the outbox until the gateway listens: at once for a new
    // socket; for a restored one, from the client's first message or kReattachGrace after the
    // actor runs (the engine's gateway takes the socket back only once the actor is ready, and
    // drops what reaches it before, acknowledgements included).
    bool attached = false;
    bool ack_held = false;
    // Restored from a record the start did not list: not in WebSockets() until a message comes.
    bool dormant = false;
    // Listed by the start but with nothing to restore it from: closed once the gateway listens
    // again (as `attached` above), since it drops what reaches it before.
    bool doomed = false;
    std::deque<std::pair<std::uint16_t, proto::v7::ToClientWebSocketMessage>> inbox;  // with its index
    std::deque<proto::v7::ToServerWebSocketMessage> outbox;
    std::uint16_t next_runner_index = 0;
    std::uint16_t last_client_index = 0;  // last one accepted for the actor
    std::uint16_t handled_index = 0;      // last one its handler finished
    std::uint16_t stored_index = 0;       // last one stored (and acknowledged)
    bool dirty = false;                   // handled_index or attachment not yet stored
    // Client messages held in the inbox or posted to the actor whose handler has not finished.
    std::size_t backlog_messages = 0;
    std::size_t backlog_bytes = 0;
  };
  struct ActorFlush {
    bool in_flight = false;
    bool again = false;
    std::vector<std::function<void()>> waiters;
  };

  void DispatchOpen(const RequestKey& key);
  // Makes a restored session's socket and replays what arrived for it meanwhile.
  void Revive(const RequestKey& key, Session& session, HttpRequest request, std::uint16_t last_received,
              std::uint16_t next_send);
  void Replay(const RequestKey& key, Session& session);
  // A listed socket that cannot continue: see Session::doomed.
  void Doom(const RequestKey& key);
  void OnOpenDecided(const RequestKey& key, const WebSocketAcceptance& acceptance);
  void FinishOpen(const RequestKey& key, bool hibernatable);
  bool Admit(const RequestKey& key, Session& session, std::size_t bytes);
  void Deliver(Session& session, proto::v7::ToClientWebSocketMessage message, std::uint16_t index);
  void MakeReady(Session& session);
  void Attach(Session& session);
  void Awaken(Session& session);
  void Acknowledge(Session& session);
  void OnHandled(const RequestKey& key, std::uint16_t index, std::size_t bytes);
  void Emit(Session& session, proto::v7::ToServerTunnelMessageKind kind);
  void EndSession(const RequestKey& key, bool tell_engine, std::uint16_t code, const std::string& reason,
                  bool tell_actor);
  void TellActorClosed(const Session& session, std::uint16_t code, const std::string& reason);
  HibernatingSocket RecordOf(const Session& session) const;
  void Flush(const std::string& actor_id);
  void OnFlushed(const std::string& actor_id, const std::map<RequestKey, std::uint16_t>& saved, bool ok);

  Hooks hooks_;
  std::shared_ptr<actors::LoopGate> gate_;
  const WebSocketLimits limits_;
  const bool host_managed_;
  HibernationStore store_;
  std::map<RequestKey, Session> sessions_;
  std::map<std::string, ActorFlush> flushes_;
  std::map<std::string, std::set<RequestKey>> expected_;  // listed by a start, until Restore
  std::map<std::string, std::unique_ptr<net::Timer>> reattach_timers_;
  std::size_t runner_backlog_bytes_ = 0;
};

}  // namespace tether::tunnel

#endif  // TETHER_RUNNER_TUNNEL_WEBSOCKET_SESSIONS_H_
