#include "js_actor.h"

#include <utility>
#include <vector>

#include "addon_data.h"
#include "napi_util.h"
#include "socket_wrap.h"

namespace tether::node {
namespace {

std::string_view Bytes(const std::string& raw) { return raw; }

}  // namespace

JsActor::~JsActor() {
  if (actor_ != nullptr) host_->RemoveActor(actor_id_, actor_);
}

void JsActor::OnStartAsync(Actor& actor, std::function<void(absl::Status)> done) {
  actor_ = &actor;
  actor_id_ = actor.info().actor_id;
  host_->AddActor(actor_id_, actor_);
  const std::uint32_t token = host_->AddCompletion(StartDone(done));
  const bool queued = host_->bridge().Emit([token, info = actor.info()](napi_env env) {
    std::vector<napi_value> hibernating;
    for (const WebSocketIds& ids : info.hibernating_sockets) {
      hibernating.push_back(MakeObject(env, {{"gatewayId", MakeArrayBuffer(env, ids.gateway_id)},
                                             {"requestId", MakeArrayBuffer(env, ids.request_id)}}));
    }
    return MakeObject(env, {{"type", MakeString(env, "actorStart")},
                            {"token", MakeNumber(env, token)},
                            {"actorId", MakeString(env, info.actor_id)},
                            {"generation", MakeNumber(env, info.generation)},
                            {"name", MakeString(env, info.name)},
                            {"key", info.key ? MakeString(env, *info.key) : MakeNull(env)},
                            {"createTs", MakeBigInt(env, info.create_ts_ms)},
                            {"input", info.input ? MakeUint8Array(env, Bytes(*info.input)) : MakeNull(env)},
                            {"hibernating", MakeArray(env, hibernating)}});
  });
  if (!queued && host_->TakeCompletion(token)) done(absl::CancelledError("the runner is shutting down"));
}

void JsActor::OnStopAsync(Actor& actor, std::function<void()> done) {
  // As with the official runner, JavaScript hears of a stop only when the engine stops the actor
  // or gives it to another runner: a failed start has run onActorStop already, and a runner that
  // stops ends with "stopped" alone.
  const StopReason reason = actor.stop_reason();
  if (reason == StopReason::kStartFailed || reason == StopReason::kRunnerStopped) return done();
  const std::uint32_t token = host_->AddCompletion(StopDone(done));
  const bool queued = host_->bridge().Emit([token, id = actor.info().actor_id, generation = actor.info().generation](napi_env env) {
    return MakeObject(env, {{"type", MakeString(env, "actorStop")},
                            {"token", MakeNumber(env, token)},
                            {"actorId", MakeString(env, id)},
                            {"generation", MakeNumber(env, generation)}});
  });
  if (!queued && host_->TakeCompletion(token)) done();
}

void JsActor::OnFetchAsync(Actor& actor, HttpRequest request, std::function<void(HttpResponse)> respond) {
  const std::uint32_t token = host_->AddCompletion(Respond(respond));
  const std::size_t bytes = request.body.size();
  const bool queued = host_->bridge().Emit(
      [token, id = actor.info().actor_id, request = std::move(request)](napi_env env) {
        return MakeObject(env, {{"type", MakeString(env, "fetch")},
                                {"token", MakeNumber(env, token)},
                                {"actorId", MakeString(env, id)},
                                {"gatewayId", MakeArrayBuffer(env, request.gateway_id)},
                                {"requestId", MakeArrayBuffer(env, request.request_id)},
                                {"method", MakeString(env, request.method)},
                                {"path", MakeString(env, request.path)},
                                {"headers", MakeHeaders(env, request.headers)},
                                {"body", request.body.empty() ? MakeNull(env) : MakeUint8Array(env, request.body)}});
      },
      bytes, true);
  if (!queued && host_->TakeCompletion(token)) {
    respond({503, {{"x-rivet-error", "runner.overloaded"}}, "the runner is shutting down or JavaScript is behind"});
  }
}

void JsActor::OnWebSocketOpenAsync(Actor& actor, std::shared_ptr<WebSocket> socket,
                                   std::function<void(WebSocketAcceptance)> decide) {
  const std::uint32_t token = host_->AddCompletion(DecideOpen(decide));
  const bool queued = host_->bridge().Emit([token, id = actor.info().actor_id, socket](napi_env env) -> napi_value {
    napi_value constructor = nullptr;
    napi_get_reference_value(env, GetAddonData(env)->socket_constructor, &constructor);
    return MakeObject(env, {{"type", MakeString(env, "wsOpen")},
                            {"token", MakeNumber(env, token)},
                            {"actorId", MakeString(env, id)},
                            {"socket", SocketWrap::Wrap(env, constructor, socket)},
                            {"path", MakeString(env, socket->request().path)},
                            {"headers", MakeHeaders(env, socket->request().headers)}});
  });
  if (!queued && host_->TakeCompletion(token)) decide({false, false, 1011, "the runner is shutting down"});
}

void JsActor::OnWebSocketIndexedMessage(Actor& actor, WebSocket& socket, const std::string& data, bool binary,
                                        std::uint16_t index) {
  const bool queued = host_->bridge().Emit(
      [id = actor.info().actor_id, socket_id = socket.id(), data, binary, index](napi_env env) {
        return MakeObject(env, {{"type", MakeString(env, "wsMessage")},
                                {"actorId", MakeString(env, id)},
                                {"socketId", MakeString(env, socket_id)},
                                {"data", binary ? MakeUint8Array(env, data) : MakeString(env, data)},
                                {"binary", MakeBool(env, binary)},
                                {"index", MakeNumber(env, index)}});
      },
      data.size(), true);
  if (queued) return;
  // JavaScript is too far behind to take more: the socket ends, as one over its own backlog does.
  socket.Close(1013, "runner.websocket_inbound_backlog");
  OnWebSocketClose(actor, socket, 1013, "runner.websocket_inbound_backlog");
}

void JsActor::OnWebSocketClose(Actor& actor, WebSocket& socket, std::uint16_t code, const std::string& reason) {
  host_->bridge().Emit([id = actor.info().actor_id, socket_id = socket.id(), code, reason](napi_env env) {
    return MakeObject(env, {{"type", MakeString(env, "wsClose")},
                            {"actorId", MakeString(env, id)},
                            {"socketId", MakeString(env, socket_id)},
                            {"code", MakeNumber(env, code)},
                            {"reason", MakeString(env, reason)}});
  });
}

}  // namespace tether::node
