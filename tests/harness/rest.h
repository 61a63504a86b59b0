// Helpers for the engine's public REST API that many integration tests need.
//
// Threading: every function is thread-safe as long as the LocalEngine is not being changed.

#ifndef TETHER_TESTS_HARNESS_REST_H_
#define TETHER_TESTS_HARNESS_REST_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include <nlohmann/json.hpp>
#include "harness/http_client.h"
#include "harness/local_engine.h"

namespace tether::testing {

// Headers that authorize a REST call to `engine`: `Authorization: Bearer <admin token>` when it
// runs with auth on, none otherwise.
HttpHeaders AdminHeaders(const LocalEngine& engine);

// Creates a namespace through POST /namespaces and returns its name, `<prefix>-<random suffix>`.
// `prefix` (e.g. a test name) is lowercased, every run of characters outside a-z and 0-9 becomes
// one '-', and it is shortened so the name stays within the engine's 64-character limit. Sends
// AdminHeaders(engine). Errors are those of HttpJson, e.g. PermissionDenied without a valid token.
absl::StatusOr<std::string> CreateNamespace(const LocalEngine& engine, std::string_view prefix);

struct ActorSpec {
  std::string name;
  std::string runner_name;  // runner_name_selector
  std::string key;          // empty: none
  std::string input;        // bytes; empty: none
  std::string crash_policy = "sleep";  // restart | sleep | destroy
};

// POST /actors: creates an actor and returns its id.
absl::StatusOr<std::string> CreateActor(const LocalEngine& engine, std::string_view namespace_name,
                                        const ActorSpec& spec);
// PUT /actors: the actor of `spec.name` and `spec.key` (required), created if it does not exist.
absl::StatusOr<std::string> GetOrCreateActor(const LocalEngine& engine, std::string_view namespace_name,
                                             const ActorSpec& spec);
// GET /actors?actor_ids=: the actor's JSON (actor_id, start_ts, sleep_ts, destroy_ts, error, ...).
absl::StatusOr<nlohmann::json> GetActor(const LocalEngine& engine, std::string_view namespace_name,
                                        std::string_view actor_id);
// DELETE /actors/{id}: destroys the actor.
absl::Status DestroyActor(const LocalEngine& engine, std::string_view namespace_name, std::string_view actor_id);
// PUT /runner-configs/{runner_name}: a serverless config for the default datacenter whose engine
// calls GET {url}/start for one runner (10 slots) at a time, each kept `request_lifespan_s`.
absl::Status UpsertServerlessRunnerConfig(const LocalEngine& engine, std::string_view namespace_name,
                                          std::string_view runner_name, std::string_view url, int request_lifespan_s);
// GET /actors/{id}/kv/keys/{base64 key}: the value's bytes, NotFound if the key does not exist.
absl::StatusOr<std::string> ReadActorKv(const LocalEngine& engine, std::string_view namespace_name,
                                        std::string_view actor_id, std::string_view key);
// GET /gateway/{actor id}{path} through the engine's gateway (wakes a sleeping actor).
absl::StatusOr<HttpResponse> GatewayGet(const LocalEngine& engine, std::string_view actor_id, std::string_view path);

}  // namespace tether::testing

#endif  // TETHER_TESTS_HARNESS_REST_H_
