#include "agent/link_state.h"

#include <string>
#include <string_view>
#include <utility>

namespace tether::agent {
namespace {

enum class LinkEvent { kConnected, kDisconnected, kDraining };

// The SDK's messages (runner/src/runner_core.cc, link/engine_link.cc) this follows.
constexpr std::pair<std::string_view, LinkEvent> kEvents[] = {
    {"connected to the engine", LinkEvent::kConnected},
    {"lost the engine connection", LinkEvent::kDisconnected},
    {"engine connection failed; reconnecting", LinkEvent::kDisconnected},
    {"runner stopped", LinkEvent::kDisconnected},
    {"runner failed", LinkEvent::kDisconnected},
    {"draining: the engine will move this runner's actors", LinkEvent::kDraining},
};

}  // namespace

void LinkState::Observe(const LogRecord& record) {
  const std::string message = record.Get("msg");
  for (const auto& [text, event] : kEvents) {
    if (message != text) continue;
    switch (event) {
      case LinkEvent::kConnected:
        connected_ = true;
        if (connects_.fetch_add(1) > 0) metrics_.link_reconnects.Add();
        break;
      case LinkEvent::kDisconnected:
        connected_ = false;
        break;
      case LinkEvent::kDraining:
        draining_ = true;
        break;
    }
    metrics_.link_connected.Set(connected_ ? 1 : 0);
    return;
  }
}

}  // namespace tether::agent
