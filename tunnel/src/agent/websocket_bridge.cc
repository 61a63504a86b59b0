#include "agent/websocket_bridge.h"

namespace tether::agent {
namespace {

// Upstream messages that arrive before the client's socket is listed (a greeting on connect):
// the wait is a few milliseconds, so this bound only stops a runaway upstream.
constexpr std::size_t kMaxWaitingBytes = std::size_t{8} << 20;
// RFC 6455: 1005 means the close frame had no code; the client gets a plain normal closure.
constexpr std::uint16_t kNoStatusCode = 1005;

}  // namespace

WebSocketBridge::WebSocketBridge(AgentMetrics& metrics, std::shared_ptr<ActorActivity> activity,
                                 std::function<void()> on_finished)
    : metrics_(metrics), activity_(std::move(activity)), on_finished_(std::move(on_finished)) {}

void WebSocketBridge::Connect(std::shared_ptr<UpstreamSocket> upstream, bool pinning) {
  std::lock_guard lock(mutex_);
  upstream_ = std::move(upstream);
  if (finished_) return;  // the upstream closed right after the upgrade
  counted_open_ = true;
  pinning_ = pinning;
  metrics_.websockets_open.Add(1);
  activity_->open_sockets.fetch_add(1);
  if (pinning_) activity_->pinning_sockets.fetch_add(1);
}

void WebSocketBridge::Attach(std::shared_ptr<WebSocket> client) {
  std::lock_guard lock(mutex_);
  client_ = std::move(client);
  for (auto& [data, binary] : waiting_) client_->Send(std::move(data), binary);
  waiting_.clear();
  waiting_bytes_ = 0;
  if (waiting_close_) client_->Close(waiting_close_->first, waiting_close_->second);
}

void WebSocketBridge::ToUpstream(std::string data, bool binary) {
  std::lock_guard lock(mutex_);
  if (finished_ || upstream_ == nullptr) return;
  metrics_.bytes_to_upstream.Add(data.size());
  upstream_->Send(std::move(data), binary);
}

void WebSocketBridge::CloseUpstream(std::uint16_t code, std::string reason) {
  std::lock_guard lock(mutex_);
  if (!FinishLocked() || upstream_ == nullptr) return;
  upstream_->Close(code, std::move(reason));
}

bool WebSocketBridge::finished() {
  std::lock_guard lock(mutex_);
  return finished_;
}

void WebSocketBridge::OnMessage(std::string data, bool binary) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  activity_->Touch();
  metrics_.bytes_from_upstream.Add(data.size());
  if (client_ != nullptr) return client_->Send(std::move(data), binary);
  waiting_bytes_ += data.size();
  if (waiting_bytes_ > kMaxWaitingBytes) {
    FinishLocked();
    if (upstream_ != nullptr) upstream_->Close(1013, "tether.client_not_ready");
    waiting_.clear();
    waiting_close_.emplace(1013, "tether.upstream_backlog");
    return;
  }
  waiting_.emplace_back(std::move(data), binary);
}

void WebSocketBridge::OnClosed(std::uint16_t code, std::string reason) {
  {
    std::lock_guard lock(mutex_);
    if (!FinishLocked()) return;
    if (code == kNoStatusCode) code = 1000;
    if (client_ != nullptr) {
      client_->Close(code, std::move(reason));
    } else {
      waiting_close_.emplace(code, std::move(reason));
    }
  }
  on_finished_();
}

bool WebSocketBridge::FinishLocked() {
  if (finished_) return false;
  finished_ = true;
  if (counted_open_) {
    metrics_.websockets_open.Add(-1);
    activity_->open_sockets.fetch_sub(1);
    if (pinning_) activity_->pinning_sockets.fetch_sub(1);
  }
  return true;
}

}  // namespace tether::agent
