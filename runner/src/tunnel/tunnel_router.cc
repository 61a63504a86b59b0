#include "tunnel/tunnel_router.h"

#include <algorithm>
#include <exception>

#include "actors/first_call.h"
#include "log.h"

namespace tether::tunnel {
namespace {

namespace v7 = proto::v7;

bool HasHeader(const HttpHeaders& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) {
    return h.first.size() == name.size() &&
           std::equal(h.first.begin(), h.first.end(), name.begin(),
                      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  });
}

HttpResponse TextResponse(std::uint16_t status, std::string text) {
  return {status, {{"content-type", "text/plain; charset=utf-8"}}, std::move(text)};
}

}  // namespace

TunnelRouter::TunnelRouter(WebSocketSessions::Hooks hooks, std::shared_ptr<actors::LoopGate> gate,
                           WebSocketLimits limits, bool host_managed)
    : send_(hooks.send),
      lookup_(hooks.lookup),
      gate_(gate),
      websockets_(std::move(hooks), std::move(gate), limits, host_managed) {}

void TunnelRouter::OnMessage(v7::ToClientTunnelMessage message) {
  const RequestKey key{message.message_id.gateway_id, message.message_id.request_id};
  if (auto* start = std::get_if<v7::ToClientRequestStart>(&message.message_kind)) {
    OnRequestStart(message.message_id, std::move(*start));
  } else if (auto* chunk = std::get_if<v7::ToClientRequestChunk>(&message.message_kind)) {
    OnRequestChunk(key, std::move(*chunk));
  } else if (std::holds_alternative<v7::ToClientRequestAbort>(message.message_kind)) {
    // The client went away: forget the request, so a response still being computed is dropped.
    requests_.erase(key);
  } else if (auto* open = std::get_if<v7::ToClientWebSocketOpen>(&message.message_kind)) {
    websockets_.OnOpen(message.message_id, std::move(*open));
  } else if (auto* ws_message = std::get_if<v7::ToClientWebSocketMessage>(&message.message_kind)) {
    websockets_.OnClientMessage(message.message_id, std::move(*ws_message));
  } else if (const auto* close = std::get_if<v7::ToClientWebSocketClose>(&message.message_kind)) {
    websockets_.OnClientClose(key, *close);
  }
}

void TunnelRouter::OnRequestStart(const v7::MessageId& id, v7::ToClientRequestStart start) {
  const RequestKey key{id.gateway_id, id.request_id};
  Request& request = requests_[key];
  request.id = id;
  request.actor_id = start.actor_id;
  request.http.method = std::move(start.method);
  request.http.path = std::move(start.path);
  request.http.headers = std::move(start.headers);
  request.http.gateway_id.assign(id.gateway_id.begin(), id.gateway_id.end());
  request.http.request_id.assign(id.request_id.begin(), id.request_id.end());
  if (start.body) request.http.body.assign(start.body->begin(), start.body->end());
  request.complete = !start.stream;
  if (request.http.body.size() > kMaxHttpBodyBytes) {
    return RespondError(key, 413, "runner.request_too_large", "the request body is over 20 MiB");
  }
  if (request.complete) Dispatch(key);
}

void TunnelRouter::OnRequestChunk(const RequestKey& key, v7::ToClientRequestChunk chunk) {
  auto it = requests_.find(key);
  if (it == requests_.end() || it->second.complete) return;
  std::string& body = it->second.http.body;
  if (body.size() + chunk.body.size() > kMaxHttpBodyBytes) {
    return RespondError(key, 413, "runner.request_too_large", "the request body is over 20 MiB");
  }
  body.append(chunk.body.begin(), chunk.body.end());
  it->second.complete = chunk.finish;
  if (chunk.finish) Dispatch(key);
}

void TunnelRouter::Dispatch(const RequestKey& key) {
  Request& request = requests_.at(key);
  const ActorLookupResult actor = lookup_(request.actor_id);
  if (actor.status == ActorStatus::kAbsent) {
    return RespondError(key, 503, "runner.actor_not_found", "the actor is not running on this runner");
  }
  if (actor.status == ActorStatus::kStarting) return;  // OnActorRunning dispatches it
  request.dispatched = true;
  actor.runtime->Post([runtime = actor.runtime, gate = gate_, this, key, http = request.http]() mutable {
    auto respond = actors::FirstCallOnly<HttpResponse>([gate, this, key](HttpResponse response) {
      gate->Post([this, key, response = std::move(response)]() mutable { Respond(key, std::move(response)); });
    });
    const std::string path = http.path;
    try {
      if (runtime->instance == nullptr) return respond(TextResponse(503, "the actor is stopping"));
      runtime->instance->OnFetchAsync(*runtime, std::move(http), respond);
    } catch (const std::exception& e) {
      log::WriteActor(LogLevel::kError, runtime->info(), "OnFetch threw", {{"error", e.what()}, {"path", path}});
      respond(TextResponse(500, "Internal Server Error"));
    } catch (...) {
      log::WriteActor(LogLevel::kError, runtime->info(), "OnFetch threw a non-standard exception");
      respond(TextResponse(500, "Internal Server Error"));
    }
  });
}

void TunnelRouter::Respond(const RequestKey& key, HttpResponse response) {
  auto it = requests_.find(key);
  if (it == requests_.end()) return;  // aborted meanwhile
  if (response.body.size() > kMaxHttpBodyBytes) {
    log::Write(LogLevel::kError, "an actor's response body is over 20 MiB; answering 500",
               {{"actor_id", it->second.actor_id}, {"bytes", std::to_string(response.body.size())}});
    response = TextResponse(500, "the actor's response is over 20 MiB");
  }
  if (!HasHeader(response.headers, "content-length")) {
    response.headers.emplace_back("content-length", std::to_string(response.body.size()));
  }
  v7::MessageId id = it->second.id;
  id.message_index = 0;  // the runner's own per-request counter: the response is its first message
  v7::ToServerResponseStart start;
  start.status = response.status;
  start.headers.reserve(response.headers.size());
  for (auto& [name, value] : response.headers) {
    // A repeated header name cannot cross the tunnel (its header map has unique names).
    if (bare::Find(start.headers, name) == nullptr) start.headers.emplace_back(std::move(name), std::move(value));
  }
  start.body = bare::Bytes(response.body.begin(), response.body.end());
  requests_.erase(it);
  send_(v7::ToServer{v7::ToServerTunnelMessage{id, std::move(start)}});
}

void TunnelRouter::RespondError(const RequestKey& key, std::uint16_t status, const std::string& rivet_error,
                                const std::string& message) {
  HttpResponse response = TextResponse(status, message);
  response.headers.emplace_back("x-rivet-error", rivet_error);
  Respond(key, std::move(response));
}

void TunnelRouter::OnActorRunning(const std::string& actor_id) {
  std::vector<RequestKey> waiting;
  for (const auto& [key, request] : requests_) {
    if (request.actor_id == actor_id && request.complete && !request.dispatched) waiting.push_back(key);
  }
  for (const RequestKey& key : waiting) Dispatch(key);
  websockets_.OnActorRunning(actor_id);
}

void TunnelRouter::OnActorGone(const std::string& actor_id) {
  std::vector<RequestKey> affected;
  for (const auto& [key, request] : requests_) {
    if (request.actor_id == actor_id && !request.dispatched) affected.push_back(key);
  }
  for (const RequestKey& key : affected) {
    RespondError(key, 503, "runner.actor_not_found", "the actor stopped before it could answer");
  }
  websockets_.OnActorGone(actor_id);
}

}  // namespace tether::tunnel
