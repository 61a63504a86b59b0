#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "napi_util.h"
#include "runner_wrap.h"

namespace tether::node {
namespace {

// What a KV call resolves its promise with, made on the JavaScript thread.
using MakeResult = std::function<napi_value(napi_env)>;
// Called once from the actor's thread with the outcome.
using Finish = std::function<void(absl::Status, MakeResult, std::size_t bytes)>;

napi_value Reject(napi_env env, napi_deferred deferred, std::string_view message) {
  napi_value error = nullptr;
  napi_create_error(env, nullptr, MakeString(env, message), &error);
  napi_reject_deferred(env, deferred, error);
  return nullptr;
}

// Makes the promise, runs `start` with the actor (it calls `finish` later), and settles the
// promise through the runner's bridge.
napi_value Begin(napi_env env, const std::shared_ptr<HostState>& host, const std::string& actor_id,
                 const std::function<void(Actor&, Finish)>& start) {
  napi_deferred deferred = nullptr;
  napi_value promise = nullptr;
  if (Failed(env, napi_create_promise(env, &deferred, &promise))) return nullptr;
  const std::uint64_t id = ++host->kv_last_id;
  host->kv_pending[id] = deferred;
  Finish finish = [host, id](absl::Status status, MakeResult result, std::size_t bytes) {
    host->bridge().Emit(
        [host, id, status = std::move(status), result = std::move(result)](napi_env js) -> napi_value {
          auto it = host->kv_pending.find(id);
          if (it == host->kv_pending.end()) return nullptr;  // rejected when the runner stopped
          const napi_deferred settled = it->second;
          host->kv_pending.erase(it);
          if (!status.ok()) return Reject(js, settled, std::string(status.message()));
          napi_resolve_deferred(js, settled, result != nullptr ? result(js) : MakeUndefined(js));
          return nullptr;
        },
        bytes);
  };
  if (!host->WithActor(actor_id, [&](Actor& actor) { start(actor, finish); })) {
    host->kv_pending.erase(id);
    Reject(env, deferred, "actor " + actor_id + " is not running on this runner");
  }
  return promise;
}

std::optional<std::vector<std::string>> GetKeys(napi_env env, napi_value value, const char* what) {
  std::optional<std::vector<napi_value>> items = GetArray(env, value, what);
  if (!items) return std::nullopt;
  std::vector<std::string> keys;
  keys.reserve(items->size());
  for (napi_value item : *items) {
    std::optional<std::string> key = GetBytes(env, item, std::string(what) + " entry");
    if (!key) return std::nullopt;
    keys.push_back(std::move(*key));
  }
  return keys;
}

// Entries as [[key, value], ...] of Uint8Arrays.
MakeResult Pairs(KvEntries entries) {
  return [entries = std::move(entries)](napi_env env) {
    std::vector<napi_value> pairs;
    pairs.reserve(entries.size());
    for (const KvEntry& entry : entries) {
      pairs.push_back(MakeArray(env, {MakeUint8Array(env, entry.key), MakeUint8Array(env, entry.value)}));
    }
    return MakeArray(env, pairs);
  };
}

std::size_t SizeOf(const KvEntries& entries) {
  std::size_t bytes = 0;
  for (const KvEntry& entry : entries) bytes += entry.key.size() + entry.value.size();
  return bytes;
}

KvEntriesCallback ListDone(Finish finish) {
  return [finish = std::move(finish)](absl::StatusOr<KvEntries> entries) {
    if (!entries.ok()) return finish(entries.status(), nullptr, 0);
    const std::size_t bytes = SizeOf(*entries);
    finish(absl::OkStatus(), Pairs(*std::move(entries)), bytes);
  };
}

KvDoneCallback Done(Finish finish) {
  return [finish = std::move(finish)](absl::Status status) { finish(std::move(status), nullptr, 0); };
}

// The NativeRunner's state and the actor id of a KV call; nullopt after throwing.
std::optional<std::pair<std::shared_ptr<HostState>, std::string>> Target(napi_env env, const CallArgs& args,
                                                                           const char* what) {
  std::shared_ptr<HostState> host = RunnerWrap::HostOf(env, args.self);
  if (host == nullptr) return std::nullopt;
  std::optional<std::string> actor_id = GetString(env, args.argv[0], std::string(what) + ": actorId");
  if (!actor_id) return std::nullopt;
  return std::make_pair(std::move(host), std::move(*actor_id));
}

}  // namespace

napi_value RunnerKv::Get(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 2);
  auto target = Target(env, args, "kvGet");
  std::optional<std::vector<std::string>> keys = target ? GetKeys(env, args.argv[1], "kvGet: keys") : std::nullopt;
  if (!keys) return nullptr;
  return Begin(env, target->first, target->second, [&keys](Actor& actor, Finish finish) {
    std::vector<std::string> requested = *keys;
    actor.kv().Get(std::move(*keys), [finish = std::move(finish), requested = std::move(requested)](
                                          absl::StatusOr<KvEntries> entries) {
      if (!entries.ok()) return finish(entries.status(), nullptr, 0);
      const std::size_t bytes = SizeOf(*entries);
      // In the order asked, null for keys that do not exist (as the official runner answers).
      finish(absl::OkStatus(),
             [entries = *std::move(entries), requested](napi_env js) {
               std::vector<napi_value> values;
               values.reserve(requested.size());
               for (const std::string& key : requested) {
                 auto found = std::find_if(entries.begin(), entries.end(), [&](const KvEntry& e) { return e.key == key; });
                 values.push_back(found != entries.end() ? MakeUint8Array(js, found->value) : MakeNull(js));
               }
               return MakeArray(js, values);
             },
             bytes);
    });
  });
}

napi_value RunnerKv::List(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 4);
  auto target = Target(env, args, "kvList");
  if (!target) return nullptr;
  KvListOptions options;
  std::optional<bool> reverse = GetBool(env, args.argv[2], "kvList: reverse");
  if (!reverse) return nullptr;
  options.reverse = *reverse;
  if (!IsNullish(env, args.argv[3])) {
    std::optional<double> limit = GetNumber(env, args.argv[3], "kvList: limit");
    if (!limit) return nullptr;
    if (*limit < 0 || *limit != static_cast<double>(static_cast<std::uint64_t>(*limit))) {
      return ThrowType(env, "kvList: limit must be a non-negative integer");
    }
    options.limit = static_cast<std::uint64_t>(*limit);
  }
  napi_value query = args.argv[1];
  if (TypeOf(env, query) != napi_object) return ThrowType(env, "kvList: query must be an object");
  if (!IsNullish(env, GetProperty(env, query, "prefix"))) {
    std::optional<std::string> prefix = GetBytes(env, GetProperty(env, query, "prefix"), "kvList: query.prefix");
    if (!prefix) return nullptr;
    return Begin(env, target->first, target->second, [&](Actor& actor, Finish finish) {
      actor.kv().ListPrefix(std::move(*prefix), options, ListDone(std::move(finish)));
    });
  }
  if (!IsNullish(env, GetProperty(env, query, "start"))) {
    std::optional<std::string> start = GetBytes(env, GetProperty(env, query, "start"), "kvList: query.start");
    std::optional<std::string> end = start ? GetBytes(env, GetProperty(env, query, "end"), "kvList: query.end") : std::nullopt;
    std::optional<bool> exclusive = end ? GetBool(env, GetProperty(env, query, "exclusive"), "kvList: query.exclusive") : std::nullopt;
    if (!exclusive) return nullptr;
    return Begin(env, target->first, target->second, [&](Actor& actor, Finish finish) {
      actor.kv().ListRange(std::move(*start), std::move(*end), *exclusive, options, ListDone(std::move(finish)));
    });
  }
  return Begin(env, target->first, target->second, [&](Actor& actor, Finish finish) {
    actor.kv().ListAll(options, ListDone(std::move(finish)));
  });
}

napi_value RunnerKv::Put(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 2);
  auto target = Target(env, args, "kvPut");
  std::optional<std::vector<napi_value>> items = target ? GetArray(env, args.argv[1], "kvPut: entries") : std::nullopt;
  if (!items) return nullptr;
  std::vector<std::pair<std::string, std::string>> entries;
  entries.reserve(items->size());
  for (napi_value item : *items) {
    std::optional<std::vector<napi_value>> pair = GetArray(env, item, "kvPut: entry");
    if (!pair) return nullptr;
    if (pair->size() != 2) return ThrowType(env, "kvPut: entry must be a [key, value] pair");
    std::optional<std::string> key = GetBytes(env, (*pair)[0], "kvPut: key");
    std::optional<std::string> value = key ? GetBytes(env, (*pair)[1], "kvPut: value") : std::nullopt;
    if (!value) return nullptr;
    entries.emplace_back(std::move(*key), std::move(*value));
  }
  return Begin(env, target->first, target->second, [&](Actor& actor, Finish finish) {
    actor.kv().Put(std::move(entries), Done(std::move(finish)));
  });
}

napi_value RunnerKv::Delete(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 2);
  auto target = Target(env, args, "kvDelete");
  std::optional<std::vector<std::string>> keys = target ? GetKeys(env, args.argv[1], "kvDelete: keys") : std::nullopt;
  if (!keys) return nullptr;
  return Begin(env, target->first, target->second, [&](Actor& actor, Finish finish) {
    actor.kv().Delete(std::move(*keys), Done(std::move(finish)));
  });
}

napi_value RunnerKv::DeleteRange(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 3);
  auto target = Target(env, args, "kvDeleteRange");
  std::optional<std::string> start = target ? GetBytes(env, args.argv[1], "kvDeleteRange: start") : std::nullopt;
  std::optional<std::string> end = start ? GetBytes(env, args.argv[2], "kvDeleteRange: end") : std::nullopt;
  if (!end) return nullptr;
  return Begin(env, target->first, target->second, [&](Actor& actor, Finish finish) {
    actor.kv().DeleteRange(std::move(*start), std::move(*end), Done(std::move(finish)));
  });
}

napi_value RunnerKv::Drop(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 1);
  auto target = Target(env, args, "kvDrop");
  if (!target) return nullptr;
  return Begin(env, target->first, target->second,
               [](Actor& actor, Finish finish) { actor.kv().Drop(Done(std::move(finish))); });
}

}  // namespace tether::node
