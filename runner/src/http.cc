#include "tether/http.h"

#include "tether/actor.h"

namespace tether {

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

HttpResponse ActorInstance::OnFetch(Actor& actor, const HttpRequest& request) {
  (void)actor;
  (void)request;
  return {404, {{"content-type", "text/plain; charset=utf-8"}}, "this actor does not serve HTTP"};
}

WebSocketAcceptance ActorInstance::OnWebSocketOpen(Actor& actor, WebSocket& socket) {
  (void)actor;
  (void)socket;
  return {false, false, 1008, "this actor does not accept WebSockets"};
}

}  // namespace tether
