#include "socket_wrap.h"

#include <string>

#include "napi_util.h"

namespace tether::node {
namespace {

// Marks objects made by Wrap, so a plain object passed as `this` is refused.
constexpr napi_type_tag kSocketTag = {0x7465746865720001ULL, 0x736f636b65740001ULL};

}  // namespace

napi_value SocketWrap::DefineClass(napi_env env) {
  napi_property_descriptor methods[] = {
      {"send", nullptr, Send, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"close", nullptr, Close, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"ack", nullptr, Ack, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_value constructor = nullptr;
  napi_define_class(env, "NativeSocket", NAPI_AUTO_LENGTH, Construct, nullptr, std::size(methods), methods,
                    &constructor);
  return constructor;
}

// Only Wrap makes sockets: JavaScript gets them from "wsOpen" events and restore().
napi_value SocketWrap::Construct(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 1);
  if (TypeOf(env, args.argv[0]) != napi_external) {
    return ThrowType(env, "NativeSocket cannot be constructed from JavaScript");
  }
  void* raw = nullptr;
  napi_get_value_external(env, args.argv[0], &raw);
  auto* wrap = new SocketWrap();
  wrap->socket_ = *static_cast<std::shared_ptr<WebSocket>*>(raw);
  if (napi_wrap(env, args.self, wrap, [](napi_env, void* data, void*) { delete static_cast<SocketWrap*>(data); },
                nullptr, nullptr) != napi_ok) {
    delete wrap;
    return ThrowError(env, "NativeSocket: cannot wrap the socket");
  }
  napi_type_tag_object(env, args.self, &kSocketTag);
  const WebSocket& socket = *wrap->socket_;
  napi_set_named_property(env, args.self, "id", MakeString(env, socket.id()));
  napi_set_named_property(env, args.self, "gatewayId", MakeArrayBuffer(env, socket.ids().gateway_id));
  napi_set_named_property(env, args.self, "requestId", MakeArrayBuffer(env, socket.ids().request_id));
  return args.self;
}

napi_value SocketWrap::Wrap(napi_env env, napi_value constructor, std::shared_ptr<WebSocket> socket) {
  napi_value external = nullptr;
  // The external lives only for the constructor call, which copies the pointer out of it.
  if (napi_create_external(env, &socket, nullptr, nullptr, &external) != napi_ok) return nullptr;
  napi_value instance = nullptr;
  if (napi_new_instance(env, constructor, 1, &external, &instance) != napi_ok) return nullptr;
  return instance;
}

SocketWrap* SocketWrap::Unwrap(napi_env env, napi_value self) {
  bool tagged = false;
  void* wrap = nullptr;
  if (napi_check_object_type_tag(env, self, &kSocketTag, &tagged) != napi_ok || !tagged ||
      napi_unwrap(env, self, &wrap) != napi_ok) {
    ThrowType(env, "not a NativeSocket");
    return nullptr;
  }
  return static_cast<SocketWrap*>(wrap);
}

napi_value SocketWrap::Send(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 1);
  SocketWrap* wrap = Unwrap(env, args.self);
  if (wrap == nullptr) return nullptr;
  if (TypeOf(env, args.argv[0]) == napi_string) {
    std::optional<std::string> text = GetString(env, args.argv[0], "NativeSocket.send: data");
    if (!text) return nullptr;
    wrap->socket_->Send(std::move(*text), false);
    return nullptr;
  }
  std::optional<std::string> bytes = GetBytes(env, args.argv[0], "NativeSocket.send: data");
  if (!bytes) return nullptr;
  wrap->socket_->Send(std::move(*bytes), true);
  return nullptr;
}

napi_value SocketWrap::Close(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 2);
  SocketWrap* wrap = Unwrap(env, args.self);
  if (wrap == nullptr) return nullptr;
  std::uint32_t code = 1000;
  std::string reason;
  if (!IsNullish(env, args.argv[0])) {
    std::optional<std::uint32_t> given = GetUint32(env, args.argv[0], "NativeSocket.close: code");
    if (!given) return nullptr;
    if (*given > 4999) return ThrowType(env, "NativeSocket.close: code must be at most 4999");
    code = *given;
  }
  if (!IsNullish(env, args.argv[1])) {
    std::optional<std::string> given = GetString(env, args.argv[1], "NativeSocket.close: reason");
    if (!given) return nullptr;
    reason = std::move(*given);
  }
  wrap->socket_->Close(static_cast<std::uint16_t>(code), std::move(reason));
  return nullptr;
}

napi_value SocketWrap::Ack(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 1);
  SocketWrap* wrap = Unwrap(env, args.self);
  if (wrap == nullptr) return nullptr;
  std::optional<std::uint32_t> index = GetUint32(env, args.argv[0], "NativeSocket.ack: index");
  if (!index) return nullptr;
  if (*index > 65535) return ThrowType(env, "NativeSocket.ack: index must be from 0 to 65535");
  wrap->socket_->Acknowledge(static_cast<std::uint16_t>(*index));
  return nullptr;
}

}  // namespace tether::node
