// EngineLink: the runner's session with the engine over runner protocol v7 — the WebSocket to
// {endpoint}/runners/connect, the Init handshake, pings, close reasons, and reconnecting with
// backoff. Everything protocol-version specific about the connection lives here; the rest of the
// runner sees decoded messages through LinkHandler, so a link for the engine's newer envoy
// protocol can serve the same actors by translating to these calls.
//
// Threading: network thread only, including every LinkHandler callback.
#ifndef TETHER_RUNNER_LINK_ENGINE_LINK_H_
#define TETHER_RUNNER_LINK_ENGINE_LINK_H_

#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "absl/status/status.h"
#include "link/close_reason.h"
#include "net/event_loop.h"
#include "tether/config.h"
#include "tether/proto/runner_protocol_v7.h"
#include "util/random_bytes.h"

namespace tether::link {

class LinkHandler {
 public:
  virtual ~LinkHandler() = default;
  // The engine accepted the runner (ToClientInit); the link is usable until OnDisconnected.
  virtual void OnConnected(const proto::v7::ToClientInit& init) = 0;
  virtual void OnMessage(proto::v7::ToClient message) = 0;
  // The connection dropped, with the engine's close code and reason (0 and empty without a close
  // frame); the link reconnects by itself.
  virtual void OnDisconnected(std::uint16_t code, const std::string& reason) = 0;
  // The link ended for good: OK after Close(); otherwise why (fatal refusal, eviction, giving up).
  virtual void OnStopped(const absl::Status& why, const CloseReason& reason) = 0;
};

class EngineLink final : private net::WebSocketHandler {
 public:
  // `actor_names` are announced in Init (name -> metadata JSON object).
  EngineLink(net::EventLoop& loop, const RunnerConfig& config, std::string runner_key,
             std::map<std::string, std::string> actor_names, LinkHandler& handler);
  ~EngineLink() override;

  void Start();
  // Sends when connected (after Init); returns false otherwise. Callers keep what must survive.
  bool Send(const proto::v7::ToServer& message);
  bool connected() const { return state_ == State::kReady; }
  // Bytes queued for the engine but not yet written (0 when not connected).
  std::size_t queued_bytes() const { return connection_ != nullptr ? connection_->queued_bytes() : 0; }
  // Closes with 1000 and stops reconnecting; OnStopped(OK) follows.
  void Close();

 private:
  enum class State { kIdle, kConnecting, kAwaitingInit, kReady, kWaitingToRetry, kClosing, kStopped };

  void Connect();
  void OnOpen() override;
  void OnMessage(std::span<const std::uint8_t> data, bool binary) override;
  void OnClosed(const net::CloseInfo& info) override;
  void ReleaseConnection();
  void Retry(const std::string& cause);
  void Stop(const absl::Status& why, const CloseReason& reason);
  std::string Url() const;

  net::EventLoop& loop_;
  const RunnerConfig& config_;
  Endpoint endpoint_;
  std::string namespace_name_;
  std::string token_;
  std::string runner_key_;
  std::map<std::string, std::string> actor_names_;
  LinkHandler& handler_;

  State state_ = State::kIdle;
  std::unique_ptr<net::WebSocketConnection> connection_;
  std::unique_ptr<net::Timer> retry_timer_;
  std::unique_ptr<net::Timer> init_timer_;
  int attempt_ = 0;
  std::chrono::steady_clock::time_point last_ready_;
  std::mt19937_64 random_{util::RandomSeed()};
};

}  // namespace tether::link

#endif  // TETHER_RUNNER_LINK_ENGINE_LINK_H_
