// The addon's entry point: defines NativeRunner and NativeSocket (lib/native.d.ts) and the
// per-environment data. Loading it does nothing else: no threads, no I/O, no environment reads,
// no signal handlers (Node owns the process's signals); a runner starts its threads in start().
#include <node_api.h>

#include <utility>
#include <vector>

#include "addon_data.h"
#include "napi_util.h"
#include "runner_wrap.h"
#include "socket_wrap.h"

namespace tether::node {

AddonData* GetAddonData(napi_env env) {
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) != napi_ok) return nullptr;
  return static_cast<AddonData*>(data);
}

namespace {

// The environment is going away (process exit, worker termination): stop every runner still
// running and join its threads, so none touches a dead environment.
void StopLiveRunners(void* arg) {
  auto* data = static_cast<AddonData*>(arg);
  std::vector<std::function<void()>> stops;
  for (auto& [wrap, stop] : data->live_runners->stops) stops.push_back(stop);
  for (auto& stop : stops) stop();
}

}  // namespace
}  // namespace tether::node

NAPI_MODULE_INIT() {
  using namespace tether::node;
  auto* data = new AddonData();
  napi_set_instance_data(
      env, data,
      [](napi_env finalizing_env, void* raw, void*) {
        auto* addon = static_cast<AddonData*>(raw);
        if (addon->socket_constructor != nullptr) napi_delete_reference(finalizing_env, addon->socket_constructor);
        delete addon;
      },
      nullptr);
  napi_add_env_cleanup_hook(env, StopLiveRunners, data);
  napi_value socket_class = SocketWrap::DefineClass(env);
  napi_create_reference(env, socket_class, 1, &data->socket_constructor);
  napi_value runner_class = RunnerWrap::DefineClass(env);
  napi_set_named_property(env, exports, "NativeRunner", runner_class);
  napi_set_named_property(env, exports, "NativeSocket", socket_class);
  return exports;
}
