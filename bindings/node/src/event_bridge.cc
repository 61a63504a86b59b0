#include "event_bridge.h"

#include <cstdio>
#include <string>

namespace tether::node {

// What travels through the thread-safe function's queue. It holds the bridge weakly: the queue
// may be drained (with env == nullptr) after the bridge is gone.
struct EventBridge::Queued {
  EventBuilder build;
  std::size_t bytes = 0;
  std::weak_ptr<EventBridge> bridge;
};

std::shared_ptr<EventBridge> EventBridge::Create(napi_env env, napi_value dispatch) {
  std::shared_ptr<EventBridge> bridge(new EventBridge());
  napi_value name = nullptr;
  napi_create_string_utf8(env, "tether.runner.events", NAPI_AUTO_LENGTH, &name);
  // Unbounded queue (max_queue_size 0), so calls never block; the bound is kMaxQueuedBytes.
  if (napi_create_threadsafe_function(env, dispatch, nullptr, name, 0, 1, nullptr, nullptr, nullptr, &CallJs,
                                      &bridge->tsfn_) != napi_ok) {
    return nullptr;
  }
  napi_unref_threadsafe_function(env, bridge->tsfn_);
  return bridge;
}

EventBridge::~EventBridge() { Close(); }

bool EventBridge::Emit(EventBuilder build, std::size_t bytes, bool refuse_over_bound) {
  {
    std::lock_guard lock(mutex_);
    if (closed_ || (refuse_over_bound && queued_bytes_ > kMaxQueuedBytes)) return false;
    queued_bytes_ += bytes;
  }
  auto* queued = new Queued{std::move(build), bytes, weak_from_this()};
  if (napi_call_threadsafe_function(tsfn_, queued, napi_tsfn_nonblocking) != napi_ok) {
    delete queued;
    std::lock_guard lock(mutex_);
    queued_bytes_ -= bytes;
    return false;
  }
  return true;
}

void EventBridge::Ref(napi_env env) { napi_ref_threadsafe_function(env, tsfn_); }

void EventBridge::Close() {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
  }
  napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
}

void EventBridge::CallJs(napi_env env, napi_value dispatch, void*, void* data) {
  std::unique_ptr<Queued> queued(static_cast<Queued*>(data));
  if (std::shared_ptr<EventBridge> bridge = queued->bridge.lock()) {
    std::lock_guard lock(bridge->mutex_);
    bridge->queued_bytes_ -= queued->bytes;
  }
  if (env == nullptr) return;  // torn down: the event is dropped
  napi_handle_scope scope = nullptr;
  napi_open_handle_scope(env, &scope);
  napi_value event = queued->build(env);
  if (event != nullptr) {
    napi_value undefined = nullptr;
    napi_get_undefined(env, &undefined);
    napi_call_function(env, undefined, dispatch, 1, &event, nullptr);
  }
  // An exception must not end the process from inside the runner's plumbing: the façade's
  // dispatcher catches its own, so one here is a bug worth a line on stderr.
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value error = nullptr;
    napi_get_and_clear_last_exception(env, &error);
    napi_value text = nullptr;
    std::string message = "unknown error";
    if (napi_coerce_to_string(env, error, &text) == napi_ok) {
      std::size_t length = 0;
      napi_get_value_string_utf8(env, text, nullptr, 0, &length);
      message.assign(length + 1, '\0');
      napi_get_value_string_utf8(env, text, message.data(), message.size(), &length);
      message.resize(length);
    }
    std::fprintf(stderr, "@tether/engine-runner: an event handler threw: %s\n", message.c_str());
  }
  napi_close_handle_scope(env, scope);
}

}  // namespace tether::node
