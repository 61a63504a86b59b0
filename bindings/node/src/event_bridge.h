// EventBridge: how the runner's native threads reach JavaScript. One per runner, over one
// Node-API thread-safe function: each event carries a builder that runs on the JavaScript thread,
// makes the event object and hands it to the runner's JavaScript dispatcher (or settles a promise
// itself and returns nullptr).
//
// Native threads never wait for JavaScript: events are queued without blocking. Requests and
// socket messages are refused while more than kMaxQueuedBytes of message data waits for
// JavaScript (the caller then answers 503 or closes the socket with 1013), so a JavaScript side
// that falls behind cannot grow memory without bound.
//
// Lifetime: the bridge keeps the Node event loop alive only between Ref() (Runner.start) and
// Close() (after the runner's last event), so nothing keeps a process alive after shutdown.
//
// Threading: Emit and Close from any thread; Create, Ref on the JavaScript thread.
#ifndef TETHER_BINDINGS_NODE_EVENT_BRIDGE_H_
#define TETHER_BINDINGS_NODE_EVENT_BRIDGE_H_

#include <node_api.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>

namespace tether::node {

// Makes the event's JavaScript value on the JavaScript thread; nullptr: nothing to dispatch.
using EventBuilder = std::function<napi_value(napi_env env)>;

class EventBridge : public std::enable_shared_from_this<EventBridge> {
 public:
  static constexpr std::size_t kMaxQueuedBytes = std::size_t{64} << 20;

  // `dispatch` is called with each event object. Unref'd until Ref().
  static std::shared_ptr<EventBridge> Create(napi_env env, napi_value dispatch);
  ~EventBridge();

  // Queues an event; `bytes` is its message data (for the bound). False once closed, or with
  // `refuse_over_bound` while the queue is over its bound: the event was not queued.
  bool Emit(EventBuilder build, std::size_t bytes = 0, bool refuse_over_bound = false);
  void Ref(napi_env env);
  // Stops taking events; queued ones are still delivered, then the loop is let go.
  void Close();

 private:
  struct Queued;
  EventBridge() = default;
  static void CallJs(napi_env env, napi_value dispatch, void* context, void* data);

  napi_threadsafe_function tsfn_ = nullptr;
  std::mutex mutex_;
  std::size_t queued_bytes_ = 0;  // guarded by mutex_
  bool closed_ = false;           // guarded by mutex_
};

}  // namespace tether::node

#endif  // TETHER_BINDINGS_NODE_EVENT_BRIDGE_H_
