// AddonData: the addon's per-environment state (Node-API instance data): the NativeSocket
// constructor, and the live runners, which the environment's cleanup hook stops so that no
// native thread outlives the process's JavaScript (or a worker thread's).
//
// Threading: JavaScript thread only.
#ifndef TETHER_BINDINGS_NODE_ADDON_DATA_H_
#define TETHER_BINDINGS_NODE_ADDON_DATA_H_

#include <node_api.h>

#include <functional>
#include <map>
#include <memory>

namespace tether::node {

// Each live runner's way to stop at once, by its wrap's address. Shared, because runners and the
// addon data are finalized in no set order when an environment is torn down.
struct LiveRunners {
  std::map<const void*, std::function<void()>> stops;
};

struct AddonData {
  napi_ref socket_constructor = nullptr;
  std::shared_ptr<LiveRunners> live_runners = std::make_shared<LiveRunners>();
};

AddonData* GetAddonData(napi_env env);

}  // namespace tether::node

#endif  // TETHER_BINDINGS_NODE_ADDON_DATA_H_
