#include "agent/link_state.h"

#include <string>

namespace tether::agent {
namespace {

// The SDK's messages (runner/src/runner_core.cc, link/engine_link.cc) this follows.
constexpr char kConnected[] = "connected to the engine";
constexpr char kLost[] = "lost the engine connection";
constexpr char kFailed[] = "engine connection failed; reconnecting";
constexpr char kDraining[] = "draining: the engine will move this runner's actors";
constexpr char kStopped[] = "runner stopped";
constexpr char kRunnerFailed[] = "runner failed";

}  // namespace

void LinkState::Observe(const LogRecord& record) {
  const std::string message = record.Get("msg");
  if (message == kConnected) {
    connected_ = true;
    if (connects_.fetch_add(1) > 0) metrics_.link_reconnects.Add();
  } else if (message == kLost || message == kFailed || message == kStopped || message == kRunnerFailed) {
    connected_ = false;
  } else if (message == kDraining) {
    draining_ = true;
  } else {
    return;
  }
  metrics_.link_connected.Set(connected_ ? 1 : 0);
}

}  // namespace tether::agent
