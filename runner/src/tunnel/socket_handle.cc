#include "tunnel/socket_handle.h"

#include "absl/strings/str_cat.h"
#include "actors/actor_runtime.h"
#include "tunnel/websocket_sessions.h"

namespace tether::tunnel {

namespace v7 = proto::v7;

SocketHandle::SocketHandle(WebSocketSessions& sessions, RequestKey key, HttpRequest request,
                           std::shared_ptr<actors::LoopGate> gate, const WebSocketLimits& limits)
    : sessions_(sessions),
      key_(std::move(key)),
      id_(ToHex(key_)),
      ids_{std::string(key_.first.begin(), key_.first.end()), std::string(key_.second.begin(), key_.second.end())},
      request_(std::move(request)),
      gate_(std::move(gate)),
      limits_(limits) {}

void SocketHandle::Send(std::string data, bool binary) {
  if (closed_) return;
  if (data.size() > kMaxWebSocketMessageBytes) {
    gate_->Post([sessions = &sessions_, key = key_] {
      sessions->CloseFromRunner(key, 1009, "runner.message_too_big");
    });
    return;
  }
  // Counted here, on the actor's thread, so that an actor sending faster than the network thread
  // drains is stopped before the loop's queue grows without bound.
  const std::size_t bytes = data.size();
  if (queued_messages_.fetch_add(1) + 1 > limits_.max_socket_messages ||
      queued_bytes_.fetch_add(bytes) + bytes > limits_.max_socket_bytes) {
    Delivered(bytes);
    gate_->Post([sessions = &sessions_, key = key_] {
      sessions->CloseFromRunner(key, 1013, "runner.websocket_outbound_backlog");
    });
    return;
  }
  gate_->Post([self = shared_from_this(), data = std::move(data), binary]() mutable {
    self->Delivered(data.size());
    self->sessions_.SendFromActor(self->key_, v7::ToServerWebSocketMessage{bare::Bytes(data.begin(), data.end()), binary});
  });
}

void SocketHandle::Close(std::uint16_t code, std::string reason) {
  if (closed_.exchange(true)) return;
  Detach();
  gate_->Post([sessions = &sessions_, key = key_, code, reason = std::move(reason)]() mutable {
    sessions->CloseFromActor(key, code, std::move(reason));
  });
}

absl::Status SocketHandle::SetAttachment(std::string data) {
  if (data.size() > kMaxWebSocketAttachmentBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a WebSocket attachment is at most ", kMaxWebSocketAttachmentBytes,
                                                   " bytes; got ", data.size()));
  }
  {
    std::lock_guard lock(mutex_);
    attachment_ = std::move(data);
  }
  if (hibernatable_) {
    gate_->Post([sessions = &sessions_, key = key_] { sessions->AttachmentChanged(key); });
  }
  return absl::OkStatus();
}

void SocketHandle::Acknowledge(std::uint16_t index) {
  if (closed_) return;
  gate_->Post([sessions = &sessions_, key = key_, index] { sessions->AcknowledgeFromActor(key, index); });
}

std::string SocketHandle::attachment() const {
  std::lock_guard lock(mutex_);
  return attachment_;
}

void SocketHandle::RestoreAttachment(std::string data) {
  std::lock_guard lock(mutex_);
  attachment_ = std::move(data);
}

void SocketHandle::AttachTo(const std::shared_ptr<actors::ActorRuntime>& runtime) {
  {
    std::lock_guard lock(mutex_);
    owner_ = runtime;
  }
  runtime->AddWebSocket(shared_from_this());
}

std::shared_ptr<actors::ActorRuntime> SocketHandle::Detach() {
  std::shared_ptr<actors::ActorRuntime> owner;
  {
    std::lock_guard lock(mutex_);
    owner = owner_.lock();
    owner_.reset();
  }
  if (owner != nullptr) owner->RemoveWebSocket(this);
  return owner;
}

bool SocketHandle::MarkClosed() { return !closed_.exchange(true); }

void SocketHandle::Delivered(std::size_t bytes) {
  queued_messages_.fetch_sub(1);
  queued_bytes_.fetch_sub(bytes);
}

}  // namespace tether::tunnel
