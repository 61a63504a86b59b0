// RawWebSocket: a blocking WebSocket client for tests that speak to the engine frame by frame,
// below any runner logic (e.g. to capture what the engine really sends).
//
// Threading: one thread at a time per object.
#ifndef TETHER_TESTS_HARNESS_RAW_WEBSOCKET_H_
#define TETHER_TESTS_HARNESS_RAW_WEBSOCKET_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tether::testing {

class RawWebSocket {
 public:
  // Connects to ws://127.0.0.1:<port><target> offering `subprotocols`.
  static absl::StatusOr<std::unique_ptr<RawWebSocket>> Connect(int port, std::string_view target,
                                                               const std::vector<std::string>& subprotocols,
                                                               std::chrono::milliseconds timeout);
  ~RawWebSocket();

  absl::Status SendBinary(std::span<const std::uint8_t> frame);
  absl::Status SendText(std::string_view text);
  // The next binary message. When the peer closes instead, Unavailable with its close code and
  // reason ("closed 1011 ws.invalid_url#..."); DeadlineExceeded after `timeout`, which leaves
  // the socket unusable (Beast fails a stream after any error).
  absl::StatusOr<std::vector<std::uint8_t>> Receive(std::chrono::milliseconds timeout);
  // Whether the last message Receive returned was binary (else text).
  bool last_was_binary() const;
  // Sends a close frame with `code` and waits for the peer's.
  absl::Status Close(int code = 1000);

 private:
  struct Impl;
  explicit RawWebSocket(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// For tests that compare answers as strings: the next message as text, or "<error message>"
// (e.g. "<closed 1000 actor.stopped>") when Receive fails.
std::string ReceiveText(RawWebSocket& ws, std::chrono::milliseconds timeout);
// Sends `message` as a text frame, then ReceiveText; "<send failed: ...>" if the send fails.
std::string Ask(RawWebSocket& ws, std::string_view message, std::chrono::milliseconds timeout);

}  // namespace tether::testing

#endif  // TETHER_TESTS_HARNESS_RAW_WEBSOCKET_H_
