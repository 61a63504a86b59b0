#include "log_router.h"

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "napi_util.h"
#include "tether/log_sink.h"

namespace tether::node {
namespace {

std::mutex g_mutex;
std::vector<std::weak_ptr<EventBridge>> g_targets;  // guarded by g_mutex; newest last
bool g_installed = false;                           // guarded by g_mutex

void Route(const LogRecord& record) {
  std::shared_ptr<EventBridge> target;
  {
    std::lock_guard lock(g_mutex);
    while (!g_targets.empty() && (target = g_targets.back().lock()) == nullptr) g_targets.pop_back();
  }
  if (target == nullptr) return;
  std::vector<std::pair<std::string, std::string>> fields;
  fields.reserve(record.fields.size());
  for (const auto& [key, value] : record.fields) fields.emplace_back(key, value);
  target->Emit([level = record.level, message = std::string(record.message), fields = std::move(fields)](napi_env env) {
    napi_value values = MakeObject(env, {});
    for (const auto& [key, value] : fields) napi_set_named_property(env, values, key.c_str(), MakeString(env, value));
    return MakeObject(env, {{"type", MakeString(env, "log")},
                            {"level", MakeString(env, LogLevelName(level))},
                            {"msg", MakeString(env, message)},
                            {"fields", values}});
  });
}

}  // namespace

void RouteLogsTo(const std::shared_ptr<EventBridge>& bridge) {
  std::lock_guard lock(g_mutex);
  std::erase_if(g_targets, [](const std::weak_ptr<EventBridge>& target) { return target.expired(); });
  g_targets.push_back(bridge);
  if (!g_installed) {
    g_installed = true;
    SetLogSink(&Route);
  }
}

}  // namespace tether::node
