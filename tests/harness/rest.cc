#include "harness/rest.h"

#include <cstddef>
#include <random>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace tether::testing {
namespace {

constexpr std::size_t kMaxPrefixLength = 40;
constexpr std::size_t kSuffixLength = 10;

// Lowercase letters and digits; other runs become single dashes, none leading or trailing (the
// engine rejects those).
std::string NamespacePrefix(std::string_view raw) {
  std::string prefix;
  for (const char c : raw) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      if (prefix.size() == kMaxPrefixLength) break;
      prefix.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    } else if (!prefix.empty() && prefix.back() != '-') {
      prefix.push_back('-');
    }
  }
  while (!prefix.empty() && prefix.back() == '-') prefix.pop_back();
  return prefix.empty() ? std::string("ns") : prefix;
}

// Random enough that test processes running in parallel against one engine never collide.
std::string RandomSuffix() {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  std::string suffix;
  for (std::size_t i = 0; i < kSuffixLength; ++i) suffix.push_back(kAlphabet[pick(generator)]);
  return suffix;
}

absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace

HttpHeaders AdminHeaders(const LocalEngine& engine) {
  if (engine.admin_token().empty()) return {};
  return {{"Authorization", absl::StrCat("Bearer ", engine.admin_token())}};
}

absl::StatusOr<std::string> CreateNamespace(const LocalEngine& engine, std::string_view prefix) {
  const std::string name = absl::StrCat(NamespacePrefix(prefix), "-", RandomSuffix());
  const nlohmann::json body = {{"name", name}, {"display_name", name}};
  absl::StatusOr<nlohmann::json> created =
      HttpJson("POST", engine.endpoint() + "/namespaces", body, AdminHeaders(engine));
  if (!created.ok()) return created.status();
  return name;
}

namespace {

absl::StatusOr<std::string> WriteActor(const LocalEngine& engine, std::string_view method,
                                       std::string_view namespace_name, const ActorSpec& spec) {
  nlohmann::json body = {{"name", spec.name},
                         {"runner_name_selector", spec.runner_name},
                         {"crash_policy", spec.crash_policy}};
  if (!spec.key.empty()) body["key"] = spec.key;
  if (!spec.input.empty()) body["input"] = absl::Base64Escape(spec.input);
  absl::StatusOr<nlohmann::json> written = HttpJson(
      method, absl::StrCat(engine.endpoint(), "/actors?namespace=", ToAbsl(namespace_name)), body, AdminHeaders(engine));
  if (!written.ok()) return written.status();
  return written->at("actor").at("actor_id").get<std::string>();
}

}  // namespace

absl::StatusOr<std::string> CreateActor(const LocalEngine& engine, std::string_view namespace_name,
                                        const ActorSpec& spec) {
  return WriteActor(engine, "POST", namespace_name, spec);
}

absl::StatusOr<std::string> GetOrCreateActor(const LocalEngine& engine, std::string_view namespace_name,
                                             const ActorSpec& spec) {
  return WriteActor(engine, "PUT", namespace_name, spec);
}

absl::StatusOr<nlohmann::json> GetActor(const LocalEngine& engine, std::string_view namespace_name,
                                        std::string_view actor_id) {
  absl::StatusOr<nlohmann::json> listed =
      HttpGetJson(absl::StrCat(engine.endpoint(), "/actors?namespace=", ToAbsl(namespace_name),
                               "&actor_ids=", ToAbsl(actor_id), "&include_destroyed=true"),
                  AdminHeaders(engine));
  if (!listed.ok()) return listed.status();
  for (const nlohmann::json& actor : listed->at("actors")) {
    if (actor.at("actor_id") == actor_id) return actor;
  }
  return absl::NotFoundError(absl::StrCat("actor ", ToAbsl(actor_id), " is not listed"));
}

absl::Status DestroyActor(const LocalEngine& engine, std::string_view namespace_name, std::string_view actor_id) {
  return HttpJson("DELETE",
                  absl::StrCat(engine.endpoint(), "/actors/", ToAbsl(actor_id), "?namespace=", ToAbsl(namespace_name)),
                  nullptr, AdminHeaders(engine))
      .status();
}

absl::Status UpsertServerlessRunnerConfig(const LocalEngine& engine, std::string_view namespace_name,
                                          std::string_view runner_name, std::string_view url, int request_lifespan_s) {
  // The engine requires a drain grace period below the lifespan (it defaults to 1800 s).
  const nlohmann::json serverless = {{"url", url},
                                     {"headers", nlohmann::json::object()},
                                     {"request_lifespan", request_lifespan_s},
                                     {"drain_grace_period", request_lifespan_s / 4},
                                     {"slots_per_runner", 10},
                                     {"min_runners", 0},
                                     {"max_runners", 1},
                                     {"runners_margin", 0}};
  return HttpJson("PUT",
                  absl::StrCat(engine.endpoint(), "/runner-configs/", ToAbsl(runner_name),
                               "?namespace=", ToAbsl(namespace_name)),
                  {{"datacenters", {{"default", {{"serverless", serverless}}}}}}, AdminHeaders(engine))
      .status();
}

absl::StatusOr<std::string> ReadActorKv(const LocalEngine& engine, std::string_view namespace_name,
                                        std::string_view actor_id, std::string_view key) {
  std::string encoded = absl::WebSafeBase64Escape(ToAbsl(key));
  while (encoded.size() % 4 != 0) encoded += '=';
  absl::StatusOr<nlohmann::json> value =
      HttpGetJson(absl::StrCat(engine.endpoint(), "/actors/", ToAbsl(actor_id), "/kv/keys/", encoded,
                               "?namespace=", ToAbsl(namespace_name)),
                  AdminHeaders(engine));
  // The engine answers a missing key with 400 kv_key_not_found.
  if (!value.ok() && absl::StrContains(value.status().message(), "\"kv_key_not_found\"")) {
    return absl::NotFoundError(value.status().message());
  }
  if (!value.ok()) return value.status();
  std::string bytes;
  if (!absl::Base64Unescape(value->at("value").get<std::string>(), &bytes)) {
    return absl::InternalError("the engine returned a KV value that is not base64");
  }
  return bytes;
}

absl::StatusOr<HttpResponse> GatewayGet(const LocalEngine& engine, std::string_view actor_id, std::string_view path) {
  return HttpRequest("GET", absl::StrCat(engine.endpoint(), "/gateway/", ToAbsl(actor_id), ToAbsl(path)), {}, {},
                     std::chrono::milliseconds(60000));
}

}  // namespace tether::testing
