#include "tether/config.h"

#include <unistd.h>  // environ

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace tether {
namespace {

// Debian's Abseil has its own string_view; this bridges the two without copying.
absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }

std::string Lower(std::string_view text) { return absl::AsciiStrToLower(ToAbsl(text)); }

// Values echoed in messages are escaped so control characters cannot garble a log line.
std::string Quoted(std::string_view text) { return "\"" + absl::CHexEscape(ToAbsl(text)) + "\""; }

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

// Replaces every occurrence of a secret in the message, so that a value that happens to be
// the token (say RIVET_NAMESPACE and RIVET_TOKEN swapped by mistake) is never echoed.
absl::Status RedactSecrets(const absl::Status& status, std::initializer_list<std::string_view> secrets) {
  if (status.ok()) return status;
  std::string message(status.message());
  for (std::string_view secret : secrets) {
    if (!secret.empty()) absl::StrReplaceAll({{ToAbsl(secret), "<redacted>"}}, &message);
  }
  return absl::Status(status.code(), message);
}

// ---------------------------------------------------------------------------------------------
// Endpoint URLs

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    decoded += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return decoded;
}

bool IsAlnum(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }

bool IsSchemeChar(char c) { return IsAlnum(c) || c == '+' || c == '-' || c == '.'; }

// RFC 3986 reg-name without percent-encoding: what a DNS name or IPv4 address is made of.
bool IsHostChar(char c) { return IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

bool IsIpv6Char(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; }

// RFC 3986 pchar plus '/': unreserved, sub-delims, ':', '@' and percent-encoded octets.
bool IsPathChar(char c) {
  return IsAlnum(c) || std::string_view("-._~!$&'()*+,;=:@/%").find(c) != std::string_view::npos;
}

template <typename Pred>
bool AllOf(std::string_view text, Pred pred) {
  for (char c : text) {
    if (!pred(c)) return false;
  }
  return true;
}

bool IsDecimal(std::string_view text) {
  return !text.empty() && AllOf(text, [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); });
}

// Decimal digits only: no sign, no spaces, no hex; nullopt when malformed or above UINT32_MAX.
std::optional<std::uint32_t> ParseU32(std::string_view text) {
  if (!IsDecimal(text)) return std::nullopt;
  std::uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

absl::Status ParseScheme(std::string_view scheme, Endpoint& endpoint) {
  const std::string lower = Lower(scheme);
  if (lower == "http" || lower == "ws") {
    endpoint.tls = false;
  } else if (lower == "https" || lower == "wss") {
    endpoint.tls = true;
  } else if (!scheme.empty() && AllOf(scheme, IsSchemeChar)) {
    return Invalid("unsupported scheme " + Quoted(scheme) + "; expected http, https, ws or wss");
  } else {
    // Not echoed: a malformed scheme may really be the start of `namespace:token@`.
    return Invalid("malformed scheme; expected http://, https://, ws:// or wss://");
  }
  return absl::OkStatus();
}

// `namespace:token@`; either half may be empty, and neither is echoed in errors.
absl::Status ParseUserInfo(std::string_view user_info, Endpoint& endpoint) {
  const std::size_t colon = user_info.find(':');
  std::optional<std::string> name = PercentDecode(user_info.substr(0, colon));
  std::optional<std::string> token =
      colon == std::string_view::npos ? std::optional<std::string>("") : PercentDecode(user_info.substr(colon + 1));
  if (!name || !token) return Invalid("malformed percent-encoding in the user info (namespace:token@)");
  endpoint.namespace_name = std::move(*name);
  endpoint.token = std::move(*token);
  return absl::OkStatus();
}

absl::Status ParsePort(std::string_view text, Endpoint& endpoint) {
  if (text.empty()) return absl::OkStatus();  // "host:" means the default port, as in WHATWG URLs
  // Only a numeric port is echoed: anything else may be a token whose '/' ended the authority.
  if (!IsDecimal(text)) return Invalid("port is not a decimal number");
  const std::optional<std::uint32_t> port = ParseU32(text);
  if (!port || *port == 0 || *port > 65535) return Invalid("port " + std::string(text) + " is not in 1..65535");
  endpoint.port = static_cast<std::uint16_t>(*port);
  return absl::OkStatus();
}

absl::Status ParseHostPort(std::string_view host_port, Endpoint& endpoint) {
  std::string_view port_text;
  if (host_port.starts_with('[')) {
    const std::size_t close = host_port.find(']');
    if (close == std::string_view::npos) return Invalid("IPv6 host has no closing ']'");
    const std::string_view host = host_port.substr(1, close - 1);
    if (host.empty() || !AllOf(host, IsIpv6Char)) return Invalid("malformed IPv6 host");
    const std::string_view rest = host_port.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return Invalid("unexpected text after the IPv6 host");
    endpoint.host = std::string(host);
    port_text = rest.empty() ? rest : rest.substr(1);
  } else {
    const std::size_t colon = host_port.find(':');
    if (colon != std::string_view::npos && host_port.find(':', colon + 1) != std::string_view::npos) {
      return Invalid("more than one ':' after the host; an IPv6 host must be in brackets, e.g. http://[::1]:6420");
    }
    const std::string_view host = host_port.substr(0, colon);
    if (host.empty()) return Invalid("the host is empty");
    if (!AllOf(host, IsHostChar)) return Invalid("invalid character in host " + Quoted(host));
    endpoint.host = std::string(host);
    if (colon != std::string_view::npos) port_text = host_port.substr(colon + 1);
  }
  endpoint.port = endpoint.tls ? 443 : 80;
  return ParsePort(port_text, endpoint);
}

absl::Status ParsePath(std::string_view path, Endpoint& endpoint) {
  if (!AllOf(path, IsPathChar)) return Invalid("invalid character in path " + Quoted(path));
  // Every trailing '/' goes, or appending "/runners/connect" would make an empty segment.
  while (path.ends_with('/')) path.remove_suffix(1);
  endpoint.path_prefix = std::string(path);
  return absl::OkStatus();
}

// The connection adds its own query parameters, so the URL must not carry any (as in RivetKit).
absl::Status RejectQueryAndFragment(std::string_view rest) {
  const std::size_t at = rest.find_first_of("?#");
  if (at == std::string_view::npos) return absl::OkStatus();
  return Invalid(rest[at] == '?' ? "the endpoint URL must not contain a query string ('?')"
                                 : "the endpoint URL must not contain a fragment ('#')");
}

// Hides the token of `namespace:token@` so that a malformed endpoint can still be echoed. Cuts at
// the last '@' rather than the end of the authority: a token with an unescaped '/' still hides.
std::string RedactUserInfo(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  const std::size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const std::size_t at = url.rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  const std::size_t colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "<redacted>" + std::string(url.substr(at));
}

// ---------------------------------------------------------------------------------------------
// Field rules

constexpr std::size_t kMaxNamespaceLength = 64;
constexpr std::size_t kMaxRunnerNameLength = 128;
constexpr std::size_t kMaxRunnerKeyLength = 128;

// The engine's namespace name rule (POST /namespaces): 1..64 of a-z 0-9 '-', no leading,
// trailing or double dash. Returns what is wrong, or nullopt.
std::optional<std::string> NamespaceProblem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > kMaxNamespaceLength) return "is longer than 64 characters";
  const auto allowed = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; };
  if (!AllOf(name, allowed)) return "may contain only a-z, 0-9 and '-'";
  if (name.starts_with('-') || name.ends_with('-')) return "must not start or end with '-'";
  if (name.find("--") != std::string_view::npos) return "must not contain \"--\"";
  return std::nullopt;
}

absl::Status CheckNamespace(const RunnerConfig& config, const Endpoint& endpoint) {
  const bool from_url = !endpoint.namespace_name.empty();
  const std::string& name = from_url ? endpoint.namespace_name : config.namespace_name;
  const std::optional<std::string> problem = NamespaceProblem(name);
  if (!problem) return absl::OkStatus();
  const std::string field = from_url ? "namespace in the user info of endpoint (RIVET_ENDPOINT)"
                                     : "namespace_name (RIVET_NAMESPACE)";
  return Invalid(field + " " + Quoted(name) + " " + *problem);
}

absl::Status CheckRunnerName(const std::string& name) {
  if (name.empty()) return Invalid("runner_name (RIVET_POOL) must not be empty");
  if (name.size() > kMaxRunnerNameLength) {
    return Invalid("runner_name (RIVET_POOL) is " + std::to_string(name.size()) +
                   " characters long; the limit is 128");
  }
  return absl::OkStatus();
}

absl::Status CheckRunnerKey(const std::string& key) {
  if (key.size() > kMaxRunnerKeyLength) {
    return Invalid("runner_key (RIVET_RUNNER_KEY) is " + std::to_string(key.size()) +
                   " characters long; the limit is 128");
  }
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (key[i] < 0x20 || key[i] > 0x7e) {
      return Invalid("runner_key (RIVET_RUNNER_KEY) has a character that is not printable ASCII at offset " +
                     std::to_string(i));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTotalSlots(std::uint32_t slots) {
  return slots > 0 ? absl::OkStatus() : Invalid("total_slots (RIVET_TOTAL_SLOTS) must be > 0");
}

bool IsJsonObject(const std::string& text) {
  const nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return !value.is_discarded() && value.is_object();
}

absl::Status CheckJson(const RunnerConfig& config) {
  if (!config.metadata_json.empty() && !IsJsonObject(config.metadata_json)) {
    return Invalid("metadata_json must be empty or a JSON object");
  }
  for (const auto& [name, metadata] : config.prepopulate_actor_names) {
    if (!IsJsonObject(metadata)) return Invalid("prepopulate_actor_names[" + Quoted(name) + "] must be a JSON object");
  }
  return absl::OkStatus();
}

absl::Status CheckReconnect(const ReconnectPolicy& policy) {
  if (policy.initial_delay.count() <= 0) return Invalid("reconnect.initial_delay must be positive");
  if (policy.max_delay.count() <= 0) return Invalid("reconnect.max_delay must be positive");
  if (policy.initial_delay > policy.max_delay) {
    return Invalid("reconnect.initial_delay (" + std::to_string(policy.initial_delay.count()) +
                   " ms) is greater than reconnect.max_delay (" + std::to_string(policy.max_delay.count()) + " ms)");
  }
  if (policy.give_up_after && policy.give_up_after->count() < 0) {
    return Invalid("reconnect.give_up_after must not be negative");
  }
  return absl::OkStatus();
}

absl::Status CheckTimeouts(const RunnerConfig& config) {
  if (config.kv_timeout.count() <= 0) return Invalid("kv_timeout must be positive");
  if (config.drain_timeout.count() <= 0) return Invalid("drain_timeout must be positive");
  if (config.actor_threads < 0) return Invalid("actor_threads must not be negative (0: one per core)");
  return absl::OkStatus();
}

absl::Status CheckWebSocketLimits(const WebSocketLimits& limits) {
  if (limits.max_socket_messages == 0 || limits.max_socket_bytes == 0 || limits.max_runner_bytes == 0) {
    return Invalid("websocket_limits: every limit must be positive");
  }
  if (limits.max_runner_bytes < limits.max_socket_bytes) {
    return Invalid("websocket_limits.max_runner_bytes must be at least max_socket_bytes");
  }
  return absl::OkStatus();
}

absl::Status CheckCaFile(const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  const std::string field = "tls.extra_ca_file " + Quoted(path);
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (error) return Invalid(field + ": " + error.message());
  // A directory opens fine for reading on Linux, so "readable" alone would accept one.
  if (!std::filesystem::is_regular_file(status)) return Invalid(field + " is not a regular file");
  if (!std::ifstream(path).is_open()) return Invalid(field + " cannot be opened for reading");
  return absl::OkStatus();
}

// The token travels as the WebSocket subprotocol `rivet_token.<token>`, which must be an HTTP
// token: a space, comma or control character would break the handshake in a confusing way.
absl::Status CheckToken(const std::string& token) {
  for (const char c : token) {
    const bool allowed = c > ' ' && c < 0x7f && std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
    if (!allowed) {
      return Invalid("token (RIVET_TOKEN) contains a character a WebSocket subprotocol cannot carry "
                     "(space, comma, quote, control character or one of ()/:;<=>?@[\\]{})");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckFields(const RunnerConfig& config, const Endpoint& endpoint) {
  const std::function<absl::Status()> checks[] = {
      [&] { return CheckToken(endpoint.token.empty() ? config.token : endpoint.token); },
      [&] { return CheckNamespace(config, endpoint); },
      [&] { return CheckRunnerName(config.runner_name); },
      [&] { return CheckRunnerKey(config.runner_key); },
      [&] { return CheckTotalSlots(config.total_slots); },
      [&] { return CheckJson(config); },
      [&] { return CheckReconnect(config.reconnect); },
      [&] { return CheckTimeouts(config); },
      [&] { return CheckWebSocketLimits(config.websocket_limits); },
      [&] { return CheckCaFile(config.tls.extra_ca_file); },
  };
  for (const auto& check : checks) {
    if (absl::Status status = check(); !status.ok()) return status;
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Environment

constexpr std::string_view kEnvPrefix = "RIVET_";
constexpr std::string_view kEndpointVar = "RIVET_ENDPOINT";
constexpr std::string_view kEngineVar = "RIVET_ENGINE";  // RivetKit's alias of RIVET_ENDPOINT
constexpr std::string_view kTokenVar = "RIVET_TOKEN";
constexpr std::string_view kNamespaceVar = "RIVET_NAMESPACE";
constexpr std::string_view kPoolVar = "RIVET_POOL";
constexpr std::string_view kRunnerKeyVar = "RIVET_RUNNER_KEY";
constexpr std::string_view kRunnerVersionVar = "RIVET_RUNNER_VERSION";
constexpr std::string_view kTotalSlotsVar = "RIVET_TOTAL_SLOTS";
constexpr std::string_view kLogLevelVar = "RIVET_LOG_LEVEL";

constexpr std::string_view kReadVars[] = {kEndpointVar,      kEngineVar,     kTokenVar,
                                          kNamespaceVar,     kPoolVar,       kRunnerKeyVar,
                                          kRunnerVersionVar, kTotalSlotsVar, kLogLevelVar};

// RIVET_* variables that RivetKit defines (rivetkit/src/utils/env-vars.ts) for the client side
// of the same deployment; its docs set them next to RIVET_ENDPOINT, so a runner sees them
// legitimately and they mean nothing to it.
constexpr std::string_view kIgnoredVars[] = {"RIVET_PUBLIC_ENDPOINT", "RIVET_PUBLIC_TOKEN"};

// The engine's own settings (e.g. RIVET__AUTH__ADMIN_TOKEN), present when an engine and a
// runner share a shell; never a misspelt runner variable.
constexpr std::string_view kEngineSettingsPrefix = "RIVET__";

using EnvVars = std::map<std::string, std::string, std::less<>>;

// Every non-empty RIVET_* variable: an empty one counts as unset.
EnvVars ReadRivetEnvironment() {
  EnvVars vars;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t equals = text.find('=');
    if (equals == std::string_view::npos || !text.starts_with(kEnvPrefix) || equals + 1 == text.size()) continue;
    vars.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return vars;
}

std::optional<std::string_view> Lookup(const EnvVars& env, std::string_view name) {
  const auto it = env.find(name);
  if (it == env.end()) return std::nullopt;
  return it->second;
}

template <std::size_t N>
bool Contains(const std::string_view (&list)[N], std::string_view name) {
  for (std::string_view entry : list) {
    if (entry == name) return true;
  }
  return false;
}

void AppendUnknownVarWarnings(const EnvVars& env, std::vector<std::string>& warnings) {
  for (const auto& [name, value] : env) {
    if (Contains(kReadVars, name) || Contains(kIgnoredVars, name) || name.starts_with(kEngineSettingsPrefix)) continue;
    std::string warning = "unknown environment variable " + name + " ignored";
    // Older RivetKit docs named the pool RIVET_RUNNER, so this one is likely a real intent.
    if (name == "RIVET_RUNNER") warning += " (the runner name is read from RIVET_POOL)";
    warnings.push_back(std::move(warning));
  }
}

absl::Status BadEnvValue(std::string_view name, std::string_view value, std::string_view why) {
  return Invalid("invalid " + std::string(name) + " " + Quoted(value) + ": " + std::string(why));
}

// Which variable names the endpoint: RIVET_ENDPOINT, else RivetKit's alias RIVET_ENGINE.
std::optional<std::pair<std::string_view, std::string_view>> EndpointSource(const EnvVars& env,
                                                                            std::vector<std::string>* warnings) {
  const std::optional<std::string_view> endpoint = Lookup(env, kEndpointVar);
  const std::optional<std::string_view> engine = Lookup(env, kEngineVar);
  // RivetKit prefers RIVET_ENGINE; we keep the documented RIVET_ENDPOINT, so say when they differ.
  if (endpoint && engine && *endpoint != *engine && warnings != nullptr) {
    warnings->push_back("RIVET_ENGINE ignored: it differs from RIVET_ENDPOINT, which takes precedence here "
                        "(RivetKit would use RIVET_ENGINE)");
  }
  if (endpoint) return std::pair(kEndpointVar, *endpoint);
  if (engine) return std::pair(kEngineVar, *engine);
  return std::nullopt;
}

// A value from the endpoint's user info and one from its own variable must agree if both exist.
absl::Status CheckAgrees(std::string_view what, std::string_view url_var, const std::string& from_url,
                         const EnvVars& env, std::string_view var, bool echo_values) {
  const std::optional<std::string_view> from_var = Lookup(env, var);
  if (from_url.empty() || !from_var || *from_var == from_url) return absl::OkStatus();
  std::string message = std::string(what) + " is set twice with different values: in the user info of " +
                        std::string(url_var) + " and in " + std::string(var);
  if (echo_values) message += " (" + Quoted(from_url) + " vs " + Quoted(*from_var) + ")";
  return Invalid(message);
}

absl::Status ApplyConnection(const EnvVars& env, RunnerConfig& config, std::vector<std::string>* warnings) {
  if (const std::optional<std::string_view> name = Lookup(env, kNamespaceVar)) config.namespace_name = *name;
  if (const std::optional<std::string_view> token = Lookup(env, kTokenVar)) config.token = *token;
  const auto source = EndpointSource(env, warnings);
  if (!source) return absl::OkStatus();
  const auto [var, url] = *source;
  const absl::StatusOr<Endpoint> endpoint = ParseEndpoint(url);
  if (!endpoint.ok()) return BadEnvValue(var, RedactUserInfo(url), std::string(endpoint.status().message()));
  if (absl::Status status = CheckAgrees("the namespace", var, endpoint->namespace_name, env, kNamespaceVar, true);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = CheckAgrees("the token", var, endpoint->token, env, kTokenVar, false); !status.ok()) {
    return status;
  }
  config.endpoint = std::string(url);
  // Copied so the fields hold what the runner will use; the URL's user info wins in Validate too.
  if (!endpoint->namespace_name.empty()) config.namespace_name = endpoint->namespace_name;
  if (!endpoint->token.empty()) config.token = endpoint->token;
  return absl::OkStatus();
}

absl::Status ApplyNumber(const EnvVars& env, std::string_view var, std::uint32_t min, std::uint32_t& field) {
  const std::optional<std::string_view> text = Lookup(env, var);
  if (!text) return absl::OkStatus();
  const std::optional<std::uint32_t> value = ParseU32(*text);
  if (!value || *value < min) {
    return BadEnvValue(var, *text, "expected a decimal integer from " + std::to_string(min) + " to 4294967295");
  }
  field = *value;
  return absl::OkStatus();
}

absl::Status ApplyRunner(const EnvVars& env, RunnerConfig& config) {
  if (const std::optional<std::string_view> pool = Lookup(env, kPoolVar)) config.runner_name = *pool;
  if (const std::optional<std::string_view> key = Lookup(env, kRunnerKeyVar)) config.runner_key = *key;
  if (absl::Status status = ApplyNumber(env, kRunnerVersionVar, 0, config.version); !status.ok()) return status;
  if (absl::Status status = ApplyNumber(env, kTotalSlotsVar, 1, config.total_slots); !status.ok()) return status;
  if (const std::optional<std::string_view> level = Lookup(env, kLogLevelVar)) {
    const absl::StatusOr<LogLevel> parsed = ParseLogLevel(*level);
    if (!parsed.ok()) return BadEnvValue(kLogLevelVar, *level, "expected trace, debug, info, warn or error");
    config.log_level = *parsed;
  }
  return absl::OkStatus();
}

// The tokens FromEnv may have read, from RIVET_TOKEN and from the endpoint's user info.
std::pair<std::string, std::string> EnvSecrets(const EnvVars& env) {
  std::string url_token;
  if (const auto source = EndpointSource(env, nullptr)) {
    if (absl::StatusOr<Endpoint> endpoint = ParseEndpoint(source->second); endpoint.ok()) {
      url_token = std::move(endpoint->token);
    }
  }
  return {std::string(Lookup(env, kTokenVar).value_or("")), std::move(url_token)};
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

absl::StatusOr<LogLevel> ParseLogLevel(std::string_view text) {
  const std::string lower = Lower(text);
  if (lower == "trace") return LogLevel::kTrace;
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "warn" || lower == "warning") return LogLevel::kWarn;
  if (lower == "error") return LogLevel::kError;
  return Invalid("unknown log level " + Quoted(text) + "; expected trace, debug, info, warn or error");
}

absl::StatusOr<Endpoint> ParseEndpoint(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return Invalid("the endpoint URL has no scheme; expected http://, https://, ws:// or wss://");
  }
  Endpoint endpoint;
  if (absl::Status status = ParseScheme(url.substr(0, scheme_end), endpoint); !status.ok()) return status;
  const std::string_view rest = url.substr(scheme_end + 3);
  if (absl::Status status = RejectQueryAndFragment(rest); !status.ok()) return status;
  const std::size_t path_start = std::min(rest.find('/'), rest.size());
  std::string_view authority = rest.substr(0, path_start);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    if (absl::Status status = ParseUserInfo(authority.substr(0, at), endpoint); !status.ok()) return status;
    authority.remove_prefix(at + 1);
  }
  if (absl::Status status = ParseHostPort(authority, endpoint); !status.ok()) return status;
  if (absl::Status status = ParsePath(rest.substr(path_start), endpoint); !status.ok()) return status;
  return endpoint;
}

std::string Endpoint::WebSocketBase() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return std::string(tls ? "wss://" : "ws://") + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) +
         path_prefix;
}

absl::StatusOr<RunnerConfig> RunnerConfig::FromEnv(std::vector<std::string>* warnings) {
  const EnvVars env = ReadRivetEnvironment();
  if (warnings != nullptr) AppendUnknownVarWarnings(env, *warnings);
  RunnerConfig config;
  absl::Status status = ApplyConnection(env, config, warnings);
  if (status.ok()) status = ApplyRunner(env, config);
  if (status.ok()) status = config.Validate();
  if (!status.ok()) {
    const auto [env_token, url_token] = EnvSecrets(env);
    return RedactSecrets(status, {env_token, url_token});
  }
  return config;
}

absl::Status RunnerConfig::Validate() const {
  const absl::StatusOr<Endpoint> parsed = ParseEndpoint(endpoint);
  // ParseEndpoint never echoes the user info, so its message can be passed on as it is.
  if (!parsed.ok()) return Invalid("endpoint (RIVET_ENDPOINT): " + std::string(parsed.status().message()));
  return RedactSecrets(CheckFields(*this, *parsed), {token, parsed->token});
}

}  // namespace tether
