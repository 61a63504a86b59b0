// SocketWrap: the NativeSocket JavaScript object of one tunneled WebSocket (lib/native.d.ts):
// send, close and acknowledge, plus its ids. It holds the SDK's tether::WebSocket, whose members
// are thread-safe and ignore calls after the socket closed.
//
// Threading: JavaScript thread (methods); the wrapped socket may be used from any thread.
#ifndef TETHER_BINDINGS_NODE_SOCKET_WRAP_H_
#define TETHER_BINDINGS_NODE_SOCKET_WRAP_H_

#include <node_api.h>

#include <memory>

#include "tether/websocket.h"

namespace tether::node {

class SocketWrap {
 public:
  // Defines the class; returns its constructor (kept by the addon's instance data).
  static napi_value DefineClass(napi_env env);
  // A new NativeSocket for `socket`, with `constructor` from DefineClass.
  static napi_value Wrap(napi_env env, napi_value constructor, std::shared_ptr<WebSocket> socket);

 private:
  static napi_value Construct(napi_env env, napi_callback_info info);
  static napi_value Send(napi_env env, napi_callback_info info);
  static napi_value Close(napi_env env, napi_callback_info info);
  static napi_value Ack(napi_env env, napi_callback_info info);
  static SocketWrap* Unwrap(napi_env env, napi_value self);

  std::shared_ptr<WebSocket> socket_;
};

}  // namespace tether::node

#endif  // TETHER_BINDINGS_NODE_SOCKET_WRAP_H_
