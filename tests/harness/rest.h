// Helpers for the engine's public REST API that many integration tests need.
//
// Threading: every function is thread-safe as long as the LocalEngine is not being changed.

#ifndef TETHER_TESTS_HARNESS_REST_H_
#define TETHER_TESTS_HARNESS_REST_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
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

}  // namespace tether::testing

#endif  // TETHER_TESTS_HARNESS_REST_H_
