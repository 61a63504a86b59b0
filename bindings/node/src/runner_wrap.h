// RunnerWrap: the NativeRunner JavaScript class (lib/native.d.ts) around one tether::Runner in
// host-managed mode: actors are JsActors, lifecycle and tunnel events go to JavaScript through
// the runner's EventBridge, and JavaScript's answers come back as completions. KV methods are in
// runner_kv.cc.
//
// Threading: JavaScript thread; the runner's own threads reach JavaScript only through the bridge.
#ifndef TETHER_BINDINGS_NODE_RUNNER_WRAP_H_
#define TETHER_BINDINGS_NODE_RUNNER_WRAP_H_

#include <node_api.h>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "addon_data.h"
#include "host_state.h"
#include "tether/runner.h"

namespace tether::node {

// NativeRunner's KV methods (runner_kv.cc): each returns a promise that an event from the
// actor's thread settles.
class RunnerKv {
 public:
  static napi_value Get(napi_env env, napi_callback_info info);
  static napi_value List(napi_env env, napi_callback_info info);
  static napi_value Put(napi_env env, napi_callback_info info);
  static napi_value Delete(napi_env env, napi_callback_info info);
  static napi_value DeleteRange(napi_env env, napi_callback_info info);
  static napi_value Drop(napi_env env, napi_callback_info info);
};

class RunnerWrap {
 public:
  static napi_value DefineClass(napi_env env);
  // The shared state of the NativeRunner `self`; nullptr after throwing.
  static std::shared_ptr<HostState> HostOf(napi_env env, napi_value self);
  ~RunnerWrap();

 private:
  static napi_value Construct(napi_env env, napi_callback_info info);
  static napi_value Start(napi_env env, napi_callback_info info);
  static napi_value Drain(napi_env env, napi_callback_info info);
  static napi_value Close(napi_env env, napi_callback_info info);
  static napi_value RunnerId(napi_env env, napi_callback_info info);
  static napi_value ServerlessInitPacket(napi_env env, napi_callback_info info);
  static napi_value FinishStart(napi_env env, napi_callback_info info);
  static napi_value FinishStop(napi_env env, napi_callback_info info);
  static napi_value RespondTo(napi_env env, napi_callback_info info);
  static napi_value DecideOpenOf(napi_env env, napi_callback_info info);
  static napi_value SleepActor(napi_env env, napi_callback_info info);
  static napi_value StopActor(napi_env env, napi_callback_info info);
  static napi_value DestroyActor(napi_env env, napi_callback_info info);
  static napi_value SetAlarm(napi_env env, napi_callback_info info);
  static napi_value Restore(napi_env env, napi_callback_info info);

  // `this` of a call, or nullptr after throwing.
  static RunnerWrap* Unwrap(napi_env env, napi_value self);
  // The completion of `token` if it is of type T; nullopt (after a TypeError if of another type).
  template <typename T>
  std::optional<T> Take(napi_env env, napi_value token, const char* what);
  // Actor methods: runs `fn` with the actor; false if it does not run here.
  static napi_value WithActor(napi_env env, napi_callback_info info, std::size_t args, const char* what,
                              const std::function<bool(napi_env, const std::vector<napi_value>&, Actor&)>& fn);
  // Ends the runner at once and joins its threads (finalizer, environment cleanup).
  void Shutdown();

  std::shared_ptr<LiveRunners> live_;  // where this runner is listed while it lives
  std::shared_ptr<HostState> host_;
  std::unique_ptr<RunnerObserver> observer_;
  std::unique_ptr<Runner> runner_;
  bool started_ = false;
};

}  // namespace tether::node

#endif  // TETHER_BINDINGS_NODE_RUNNER_WRAP_H_
