#include "tunnel/websocket_sessions.h"

#include <algorithm>
#include <exception>

#include "actors/first_call.h"
#include "log.h"

namespace tether::tunnel {
namespace {

namespace v7 = proto::v7;

constexpr char kInboundBacklog[] = "runner.websocket_inbound_backlog";
constexpr char kOutboundBacklog[] = "runner.websocket_outbound_backlog";
// How long a woken actor's messages to a restored socket wait for the gateway when the client
// sends nothing: the gateway takes the socket back within milliseconds of the actor's start.
constexpr std::chrono::milliseconds kReattachGrace{1000};

// Runs one of the program's handlers, logging what it throws instead of letting it reach the
// executor.
template <typename Fn>
void RunHandler(actors::ActorRuntime& runtime, const char* what, Fn&& fn) {
  try {
    if (runtime.instance != nullptr) fn(*runtime.instance);
  } catch (const std::exception& e) {
    log::WriteActor(LogLevel::kError, runtime.info(), std::string(what) + " threw", {{"error", e.what()}});
  } catch (...) {
    log::WriteActor(LogLevel::kError, runtime.info(), std::string(what) + " threw a non-standard exception");
  }
}

}  // namespace

WebSocketSessions::WebSocketSessions(Hooks hooks, std::shared_ptr<actors::LoopGate> gate, WebSocketLimits limits,
                                     bool host_managed)
    : hooks_(std::move(hooks)), gate_(std::move(gate)), limits_(limits), host_managed_(host_managed), store_(hooks_.kv) {}

// ---- Opening -------------------------------------------------------------------------------------

void WebSocketSessions::OnOpen(const v7::MessageId& id, v7::ToClientWebSocketOpen open) {
  const RequestKey key{id.gateway_id, id.request_id};
  if (auto it = sessions_.find(key); it != sessions_.end()) {
    // The gateway asks again when it did not hear the answer: answer again.
    if (it->second.phase == Phase::kOpen) Emit(it->second, v7::ToServerWebSocketOpen{it->second.hibernatable});
    return;
  }
  HttpRequest request{"GET", std::move(open.path), std::move(open.headers), {}, {}, {}};
  request.gateway_id.assign(key.first.begin(), key.first.end());
  request.request_id.assign(key.second.begin(), key.second.end());
  Session& session = sessions_[key];
  session.id = id;
  session.actor_id = std::move(open.actor_id);
  session.last_client_index = id.message_index;
  session.handle = std::make_shared<SocketHandle>(*this, key, std::move(request), gate_, limits_);
  DispatchOpen(key);
}

void WebSocketSessions::DispatchOpen(const RequestKey& key) {
  Session& session = sessions_.at(key);
  const ActorLookupResult actor = hooks_.lookup(session.actor_id);
  if (actor.status == ActorStatus::kAbsent) {
    return OnOpenDecided(key, {false, false, 1011, "runner.actor_not_found"});
  }
  if (actor.status == ActorStatus::kStarting) return;  // OnActorRunning dispatches it
  session.phase = Phase::kDeciding;
  actor.runtime->Post([runtime = actor.runtime, gate = gate_, this, key, handle = session.handle] {
    auto decide = actors::FirstCallOnly<WebSocketAcceptance>(
        [runtime, gate, this, key, handle](WebSocketAcceptance acceptance) {
          handle->set_hibernatable(acceptance.accept && acceptance.hibernatable);
          if (acceptance.accept) handle->AttachTo(runtime);
          gate->Post([this, key, acceptance = std::move(acceptance)] { OnOpenDecided(key, acceptance); });
        });
    try {
      if (runtime->instance == nullptr) return decide({false, false, 1011, "the actor is stopping"});
      runtime->instance->OnWebSocketOpenAsync(*runtime, handle, decide);
    } catch (const std::exception& e) {
      log::WriteActor(LogLevel::kError, runtime->info(), "OnWebSocketOpen threw", {{"error", e.what()}});
      decide({false, false, 1011, "the actor failed to open the socket"});
    }
  });
}

void WebSocketSessions::OnOpenDecided(const RequestKey& key, const WebSocketAcceptance& acceptance) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;  // the client left meanwhile
  Session& session = it->second;
  if (!acceptance.accept) {
    // The gateway has accepted the client's upgrade before asking the actor, and a close instead
    // of the open reply leaves the client waiting (engine 2.3.19): open, then close.
    return EndSession(key, true, acceptance.reject_code, acceptance.reject_reason, false);
  }
  if (!acceptance.hibernatable || host_managed_) return FinishOpen(key, acceptance.hibernatable);
  session.phase = Phase::kStoring;
  // Stored before the open reply: once the engine knows the socket can hibernate, the actor may
  // stop at any moment and its next start must find the record.
  const HibernatingSocket record = RecordOf(session);
  if (absl::StatusOr<bare::Bytes> encoded = HibernationStore::Encode(record); !encoded.ok()) {
    log::Write(LogLevel::kWarn, "opening a WebSocket as not hibernatable",
               {{"actor_id", session.actor_id}, {"error", std::string(encoded.status().message())}});
    return FinishOpen(key, false);
  }
  store_.Save(session.actor_id, {record}, [this, key, actor_id = session.actor_id](absl::Status status) {
    if (!status.ok()) {
      log::Write(LogLevel::kWarn, "could not store a WebSocket's hibernation record; opening it as not hibernatable",
                 {{"actor_id", actor_id}, {"error", std::string(status.message())}});
    }
    FinishOpen(key, status.ok());
  });
}

void WebSocketSessions::FinishOpen(const RequestKey& key, bool hibernatable) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  Session& session = it->second;
  session.hibernatable = hibernatable;
  session.handle->set_hibernatable(hibernatable);
  session.phase = Phase::kOpen;
  session.attached = true;
  Emit(session, v7::ToServerWebSocketOpen{hibernatable});
  MakeReady(session);
}

// ---- Client to actor -----------------------------------------------------------------------------

void WebSocketSessions::OnClientMessage(const v7::MessageId& id, v7::ToClientWebSocketMessage message) {
  const RequestKey key{id.gateway_id, id.request_id};
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  Session& session = it->second;
  const std::uint16_t index = id.message_index;
  if (session.doomed) {
    // Its actor is back: the gateway listens to the runner again.
    if (hooks_.lookup(session.actor_id).status == ActorStatus::kRunning) {
      EndSession(key, true, 1000, "ws.meta_not_found_during_restore", false);
    }
    return;
  }
  if (session.dormant) Awaken(session);
  if (session.handle != nullptr && session.ready && !session.attached) Attach(session);
  if (session.handle == nullptr) {
    // A hibernated socket whose record is still being read: dedupe once it is.
    if (Admit(key, session, message.data.size())) session.inbox.emplace_back(index, std::move(message));
    return;
  }
  if (session.hibernatable) {
    if (!IndexAfter(index, session.last_client_index)) {
      // The engine replays what it has not seen acknowledged; this one was handled already.
      Acknowledge(session);
      return;
    }
    if (index != static_cast<std::uint16_t>(session.last_client_index + 1)) {
      log::Write(LogLevel::kWarn, "a hibernatable WebSocket skipped messages; closing it",
                 {{"actor_id", session.actor_id}, {"expected", std::to_string(session.last_client_index + 1)},
                  {"got", std::to_string(index)}});
      return CloseFromRunner(key, 1008, "ws.message_index_skip");
    }
  }
  if (!Admit(key, session, message.data.size())) return;
  session.last_client_index = index;
  if (!session.ready) {
    session.inbox.emplace_back(index, std::move(message));
    return;
  }
  Deliver(session, std::move(message), index);
}

// Counts a client message against the socket's and the runner's bounds, or closes the socket.
bool WebSocketSessions::Admit(const RequestKey& key, Session& session, std::size_t bytes) {
  if (session.backlog_messages + 1 > limits_.max_socket_messages ||
      session.backlog_bytes + bytes > limits_.max_socket_bytes ||
      runner_backlog_bytes_ + bytes > limits_.max_runner_bytes) {
    CloseFromRunner(key, 1013, kInboundBacklog);
    return false;
  }
  session.backlog_messages += 1;
  session.backlog_bytes += bytes;
  runner_backlog_bytes_ += bytes;
  return true;
}

void WebSocketSessions::Deliver(Session& session, v7::ToClientWebSocketMessage message, std::uint16_t index) {
  const ActorLookupResult actor = hooks_.lookup(session.actor_id);
  if (actor.runtime == nullptr) return;
  const RequestKey key{session.id.gateway_id, session.id.request_id};
  const std::size_t bytes = message.data.size();
  actor.runtime->Post([runtime = actor.runtime, gate = gate_, this, key, index, bytes, handle = session.handle,
                       data = std::string(message.data.begin(), message.data.end()), binary = message.binary] {
    RunHandler(*runtime, "OnWebSocketMessage",
               [&](ActorInstance& instance) { instance.OnWebSocketIndexedMessage(*runtime, *handle, data, binary, index); });
    gate->Post([this, key, index, bytes] { OnHandled(key, index, bytes); });
  });
}

void WebSocketSessions::OnHandled(const RequestKey& key, std::uint16_t index, std::size_t bytes) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;  // its backlog was released when it ended
  Session& session = it->second;
  session.backlog_messages -= 1;
  session.backlog_bytes -= bytes;
  runner_backlog_bytes_ -= bytes;
  if (!session.hibernatable || host_managed_) return;  // host-managed: the program acknowledges
  session.handled_index = index;
  session.dirty = true;
  Flush(session.actor_id);
}

// ---- Actor to client -----------------------------------------------------------------------------

void WebSocketSessions::SendFromActor(const RequestKey& key, v7::ToServerWebSocketMessage message) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  Session& session = it->second;
  if (!session.ready || !session.attached) {
    // Sent from OnWebSocketOpen or OnStart: it goes out once the gateway listens.
    if (session.outbox.size() >= limits_.max_socket_messages) return CloseFromRunner(key, 1013, kOutboundBacklog);
    session.outbox.push_back(std::move(message));
    return;
  }
  if (hooks_.link_backlog() > limits_.max_runner_bytes) return CloseFromRunner(key, 1013, kOutboundBacklog);
  Emit(session, std::move(message));
}

void WebSocketSessions::Emit(Session& session, v7::ToServerTunnelMessageKind kind) {
  v7::MessageId id = session.id;
  id.message_index = session.next_runner_index++;  // wraps at 65536, as the protocol expects
  hooks_.send(v7::ToServer{v7::ToServerTunnelMessage{id, std::move(kind)}});
}

void WebSocketSessions::MakeReady(Session& session) {
  session.ready = true;
  if (session.attached) Attach(session);
  std::deque<std::pair<std::uint16_t, v7::ToClientWebSocketMessage>> inbox = std::move(session.inbox);
  session.inbox.clear();
  for (auto& [index, message] : inbox) Deliver(session, std::move(message), index);
}

void WebSocketSessions::Awaken(Session& session) {
  const ActorLookupResult actor = hooks_.lookup(session.actor_id);
  if (actor.runtime == nullptr) return;
  session.dormant = false;
  session.handle->AttachTo(actor.runtime);
  log::Write(LogLevel::kInfo, "a hibernated WebSocket the engine had not listed came back",
             {{"actor_id", session.actor_id}, {"socket", session.handle->id()}});
}

void WebSocketSessions::Attach(Session& session) {
  session.attached = true;
  for (v7::ToServerWebSocketMessage& message : session.outbox) Emit(session, std::move(message));
  session.outbox.clear();
  if (session.ack_held) Acknowledge(session);
}

void WebSocketSessions::Acknowledge(Session& session) {
  session.ack_held = !session.ready || !session.attached;
  if (!session.ack_held) Emit(session, v7::ToServerWebSocketMessageAck{session.stored_index});
}

// ---- Closing ------------------------------------------------------------------------------------

void WebSocketSessions::OnClientClose(const RequestKey& key, const v7::ToClientWebSocketClose& close) {
  EndSession(key, false, close.code.value_or(1005), close.reason.value_or(""), true);
}

void WebSocketSessions::CloseFromActor(const RequestKey& key, std::uint16_t code, std::string reason) {
  EndSession(key, true, code, reason, false);
}

void WebSocketSessions::CloseFromRunner(const RequestKey& key, std::uint16_t code, std::string reason) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  log::Write(LogLevel::kWarn, "closing a WebSocket",
             {{"actor_id", it->second.actor_id}, {"code", std::to_string(code)}, {"reason", reason}});
  EndSession(key, true, code, reason, true);
}

void WebSocketSessions::EndSession(const RequestKey& key, bool tell_engine, std::uint16_t code,
                                   const std::string& reason, bool tell_actor) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  Session session = std::move(it->second);
  sessions_.erase(it);
  runner_backlog_bytes_ -= session.backlog_bytes;
  if (tell_engine) {
    if (session.phase != Phase::kOpen) Emit(session, v7::ToServerWebSocketOpen{false});
    Emit(session, v7::ToServerWebSocketClose{code, reason, false});
  }
  if (session.hibernatable && !host_managed_) store_.Remove(session.actor_id, key);
  if (session.handle == nullptr) return;
  session.handle->MarkClosed();
  if (tell_actor) {
    TellActorClosed(session, code, reason);
  } else {
    session.handle->Detach();
  }
}

// On the actor's executor, after whatever it is still handling for this socket.
void WebSocketSessions::TellActorClosed(const Session& session, std::uint16_t code, const std::string& reason) {
  const ActorLookupResult actor = hooks_.lookup(session.actor_id);
  if (actor.runtime == nullptr) {
    session.handle->Detach();
    return;
  }
  actor.runtime->Post([runtime = actor.runtime, handle = session.handle, code, reason] {
    // Only a socket the actor knew as open hears of its close.
    if (handle->Detach() == nullptr) return;
    RunHandler(*runtime, "OnWebSocketClose",
               [&](ActorInstance& instance) { instance.OnWebSocketClose(*runtime, *handle, code, reason); });
  });
}

void WebSocketSessions::AttachmentChanged(const RequestKey& key) {
  auto it = sessions_.find(key);
  if (it == sessions_.end() || !it->second.hibernatable || host_managed_) return;
  it->second.dirty = true;
  Flush(it->second.actor_id);
}

void WebSocketSessions::AcknowledgeFromActor(const RequestKey& key, std::uint16_t index) {
  auto it = sessions_.find(key);
  if (!host_managed_ || it == sessions_.end() || !it->second.hibernatable) return;
  it->second.stored_index = index;
  Acknowledge(it->second);
}

// ---- Storing positions ---------------------------------------------------------------------------

HibernatingSocket WebSocketSessions::RecordOf(const Session& session) const {
  HibernatingSocket record;
  record.gateway_id = session.id.gateway_id;
  record.request_id = session.id.request_id;
  record.last_client_index = session.handled_index;
  record.next_runner_index = session.next_runner_index;
  record.path = session.handle->request().path;
  for (const auto& [name, value] : session.handle->request().headers) {
    if (bare::Find(record.headers, name) == nullptr) record.headers.emplace_back(name, value);
  }
  const std::string attachment = session.handle->attachment();
  record.attachment.assign(attachment.begin(), attachment.end());
  return record;
}

// One save at a time per actor: positions handled meanwhile go in the next one, so a busy socket
// costs one KV write per round trip rather than one per message.
void WebSocketSessions::Flush(const std::string& actor_id) {
  ActorFlush& flush = flushes_[actor_id];
  if (flush.in_flight) {
    flush.again = true;
    return;
  }
  std::vector<HibernatingSocket> records;
  std::map<RequestKey, std::uint16_t> saved;
  for (auto& [key, session] : sessions_) {
    if (session.actor_id != actor_id || !session.dirty || session.phase != Phase::kOpen) continue;
    session.dirty = false;
    records.push_back(RecordOf(session));
    saved[key] = session.handled_index;
  }
  if (records.empty()) {
    std::vector<std::function<void()>> waiters = std::move(flush.waiters);
    flushes_.erase(actor_id);
    for (auto& waiter : waiters) waiter();
    return;
  }
  flush.in_flight = true;
  store_.Save(actor_id, records, [this, actor_id, saved](absl::Status status) {
    if (!status.ok()) {
      log::Write(LogLevel::kWarn, "could not store WebSocket positions; the engine will replay those messages",
                 {{"actor_id", actor_id}, {"error", std::string(status.message())}});
    }
    OnFlushed(actor_id, saved, status.ok());
  });
}

void WebSocketSessions::OnFlushed(const std::string& actor_id, const std::map<RequestKey, std::uint16_t>& saved,
                                  bool ok) {
  for (const auto& [key, index] : saved) {
    auto it = sessions_.find(key);
    if (it == sessions_.end()) continue;
    Session& session = it->second;
    if (!ok) {
      session.dirty = true;  // tried again with the next save
      continue;
    }
    const bool advanced = index != session.stored_index;
    session.stored_index = index;
    // Acknowledged only now: the engine drops what is acknowledged, so it must be stored first.
    if (advanced) Acknowledge(session);
  }
  auto flush = flushes_.find(actor_id);
  if (flush == flushes_.end()) return;
  flush->second.in_flight = false;
  const bool again = std::exchange(flush->second.again, false);
  if (again || ok) {
    Flush(actor_id);
    return;
  }
  std::vector<std::function<void()>> waiters = std::move(flush->second.waiters);
  flushes_.erase(flush);
  for (auto& waiter : waiters) waiter();
}

void WebSocketSessions::StoreAgain(const std::string& actor_id) {
  for (auto& [key, session] : sessions_) {
    if (session.actor_id == actor_id && session.hibernatable && session.handle != nullptr) session.dirty = true;
  }
  Flush(actor_id);
}

void WebSocketSessions::Settle(const std::string& actor_id, std::function<void()> done) {
  flushes_[actor_id].waiters.push_back(std::move(done));
  Flush(actor_id);
}

// ---- Actor lifecycle -----------------------------------------------------------------------------

void WebSocketSessions::ExpectRestore(const std::string& actor_id, const std::vector<v7::HibernatingRequest>& listed) {
  std::set<RequestKey>& expected = expected_[actor_id];
  for (const v7::HibernatingRequest& request : listed) {
    const RequestKey key{request.gateway_id, request.request_id};
    expected.insert(key);
    if (sessions_.contains(key)) continue;
    Session& session = sessions_[key];
    session.id = {request.gateway_id, request.request_id, 0};
    session.actor_id = actor_id;
    session.phase = Phase::kOpen;
    session.hibernatable = true;
  }
}

void WebSocketSessions::Restore(const std::string& actor_id, const std::shared_ptr<actors::ActorRuntime>& runtime,
                                std::vector<HibernatingSocket> stored, bool keep_unlisted) {
  std::set<RequestKey> listed = std::move(expected_[actor_id]);
  expected_.erase(actor_id);
  const bool trust_records = keep_unlisted && listed.empty();
  std::set<RequestKey> restored;
  for (HibernatingSocket& record : stored) {
    const RequestKey key = HibernationStore::KeyOf(record);
    auto it = sessions_.find(key);
    if (listed.contains(key) && it == sessions_.end()) {
      // The client left while this start was on its way.
      store_.Remove(actor_id, key);
      continue;
    }
    Session& session = sessions_[key];
    session.actor_id = actor_id;
    HttpRequest request{"GET", std::move(record.path), std::move(record.headers), {}, {}, {}};
    Revive(key, session, std::move(request), record.last_client_index, record.next_runner_index);
    session.handle->RestoreAttachment(std::string(record.attachment.begin(), record.attachment.end()));
    // The engine's list can miss a socket whose actor moved within moments of its last message
    // (seen on a fast drain); such a socket waits, unlisted in WebSockets(), for a message.
    session.dormant = !listed.contains(key) && !trust_records;
    if (!session.dormant) {
      session.handle->AttachTo(runtime);
      restored.insert(key);
    }
    Replay(key, session);
  }
  for (const RequestKey& key : listed) {
    // Without its record the socket cannot continue where it was; the client is told.
    if (!restored.contains(key)) Doom(key);
  }
  log::Write(LogLevel::kDebug, "restored hibernated WebSockets",
             {{"actor_id", actor_id}, {"sockets", std::to_string(restored.size())}});
}

void WebSocketSessions::Revive(const RequestKey& key, Session& session, HttpRequest request,
                               std::uint16_t last_received, std::uint16_t next_send) {
  session.id = {key.first, key.second, 0};
  request.gateway_id.assign(key.first.begin(), key.first.end());
  request.request_id.assign(key.second.begin(), key.second.end());
  session.phase = Phase::kOpen;
  session.hibernatable = true;
  session.last_client_index = session.handled_index = session.stored_index = last_received;
  session.next_runner_index = next_send;
  session.handle = std::make_shared<SocketHandle>(*this, key, std::move(request), gate_, limits_);
  session.handle->set_hibernatable(true);
}

// What arrived while the socket was being restored goes through the duplicate check now.
void WebSocketSessions::Replay(const RequestKey& key, Session& session) {
  auto held = std::move(session.inbox);
  session.inbox.clear();
  runner_backlog_bytes_ -= session.backlog_bytes;
  session.backlog_messages = session.backlog_bytes = 0;
  for (auto& [index, message] : held) OnClientMessage({key.first, key.second, index}, std::move(message));
}

void WebSocketSessions::Doom(const RequestKey& key) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  Session& session = it->second;
  session.doomed = true;
  session.inbox.clear();
  runner_backlog_bytes_ -= session.backlog_bytes;
  session.backlog_messages = session.backlog_bytes = 0;
}

absl::StatusOr<std::vector<std::shared_ptr<WebSocket>>> WebSocketSessions::RestoreStored(
    const std::string& actor_id, const std::shared_ptr<actors::ActorRuntime>& runtime,
    std::vector<StoredWebSocket> stored) {
  auto expected = expected_.find(actor_id);
  if (expected == expected_.end()) {
    return absl::FailedPreconditionError("the actor's WebSockets were restored already");
  }
  const std::set<RequestKey> listed = std::move(expected->second);
  expected_.erase(expected);
  std::vector<std::shared_ptr<WebSocket>> sockets(stored.size());
  std::set<RequestKey> restored;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    StoredWebSocket& entry = stored[i];
    if (entry.ids.gateway_id.size() != 4 || entry.ids.request_id.size() != 4) continue;
    RequestKey key;
    std::copy(entry.ids.gateway_id.begin(), entry.ids.gateway_id.end(), key.first.begin());
    std::copy(entry.ids.request_id.begin(), entry.ids.request_id.end(), key.second.begin());
    if (!listed.contains(key) || restored.contains(key)) continue;
    auto it = sessions_.find(key);
    if (it == sessions_.end()) continue;  // the client left while the actor was starting
    Session& session = it->second;
    HttpRequest request{"GET", std::move(entry.path), std::move(entry.headers), {}, {}, {}};
    Revive(key, session, std::move(request), entry.last_received_index, entry.next_send_index);
    session.handle->AttachTo(runtime);
    sockets[i] = session.handle;
    restored.insert(key);
    Replay(key, session);
  }
  for (const RequestKey& key : listed) {
    if (!restored.contains(key)) Doom(key);
  }
  return sockets;
}

void WebSocketSessions::OnActorRunning(const std::string& actor_id) {
  if (host_managed_ && expected_.contains(actor_id)) {
    // The program started the actor without restoring its sockets: none can continue.
    const ActorLookupResult actor = hooks_.lookup(actor_id);
    if (actor.runtime != nullptr) (void)RestoreStored(actor_id, actor.runtime, {});
  }
  std::vector<RequestKey> opening;
  bool restored = false;
  for (auto& [key, session] : sessions_) {
    if (session.actor_id != actor_id) continue;
    if (session.doomed) {
      restored = true;  // closed by the timer below, if no client message closes it first
    } else if (session.phase == Phase::kAwaitingActor) {
      opening.push_back(key);
    } else if (session.phase == Phase::kOpen && !session.ready && session.handle != nullptr) {
      restored = true;
      MakeReady(session);
    }
  }
  for (const RequestKey& key : opening) DispatchOpen(key);
  if (!restored) return;
  reattach_timers_[actor_id] = hooks_.run_after(kReattachGrace, [this, actor_id] {
    std::vector<RequestKey> doomed;
    for (auto& [key, session] : sessions_) {
      if (session.actor_id != actor_id) continue;
      if (session.doomed) doomed.push_back(key);
      if (session.ready && !session.attached) Attach(session);
    }
    for (const RequestKey& key : doomed) EndSession(key, true, 1000, "ws.meta_not_found_during_restore", false);
    reattach_timers_.erase(actor_id);
  });
}

void WebSocketSessions::OnActorGone(const std::string& actor_id) {
  // The engine hibernates the hibernatable sockets and closes the others (1000 actor.stopped).
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.actor_id != actor_id) {
      ++it;
      continue;
    }
    runner_backlog_bytes_ -= it->second.backlog_bytes;
    if (it->second.handle != nullptr) it->second.handle->MarkClosed();
    it = sessions_.erase(it);
  }
  expected_.erase(actor_id);
  reattach_timers_.erase(actor_id);
  auto flush = flushes_.find(actor_id);
  if (flush == flushes_.end()) return;
  std::vector<std::function<void()>> waiters = std::move(flush->second.waiters);
  flushes_.erase(flush);
  for (auto& waiter : waiters) waiter();
}

}  // namespace tether::tunnel
