#include "deploy/command_line.h"

#include <charconv>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "string_view_conversion.h"

namespace tether::cli {
namespace {

constexpr std::string_view kDefaultEndpoint = "http://127.0.0.1:6420";
constexpr std::string_view kDefaultNamespace = "default";

const FlagSpec* FindFlag(std::span<const FlagSpec> specs, std::string_view name) {
  for (const FlagSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string FirstOf(std::initializer_list<std::optional<std::string>> candidates, std::string_view fallback) {
  for (const std::optional<std::string>& candidate : candidates) {
    if (candidate && !candidate->empty()) return *candidate;
  }
  return std::string(fallback);
}

std::optional<std::string> NonEmpty(std::string text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(std::move(text));
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    return value == nullptr ? std::nullopt : std::optional<std::string>(value);
  };
}

std::optional<std::string> CommandLine::Value(std::string_view flag) const {
  const auto found = flags.find(flag);
  return found == flags.end() ? std::nullopt : std::optional<std::string>(found->second.back());
}

std::vector<std::string> CommandLine::Values(std::string_view flag) const {
  const auto found = flags.find(flag);
  return found == flags.end() ? std::vector<std::string>() : found->second;
}

absl::StatusOr<CommandLine> ParseCommandLine(std::span<const std::string> args, std::span<const FlagSpec> specs) {
  CommandLine parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      parsed.positionals.insert(parsed.positionals.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                args.end());
      break;
    }
    if (arg == "-h" || arg == "--help") {
      parsed.flags["--help"].emplace_back();
      continue;
    }
    if (!arg.starts_with("-") || arg == "-") {
      parsed.positionals.push_back(arg);
      continue;
    }
    const std::size_t equals = arg.find('=');
    const std::string name = arg.substr(0, equals);
    const FlagSpec* spec = FindFlag(specs, name);
    if (spec == nullptr) return absl::InvalidArgumentError(absl::StrCat("unknown flag ", name));
    if (!spec->takes_value) {
      if (equals != std::string::npos) return absl::InvalidArgumentError(absl::StrCat(name, " takes no value"));
      parsed.flags[name].emplace_back();
    } else if (equals != std::string::npos) {
      parsed.flags[name].push_back(arg.substr(equals + 1));
    } else if (i + 1 < args.size()) {
      parsed.flags[name].push_back(args[++i]);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(name, " needs a value"));
    }
  }
  return parsed;
}

std::vector<FlagSpec> ConnectionFlags(bool with_namespace) {
  std::vector<FlagSpec> flags = {{"--endpoint", true}, {"--token", true}, {"--ca-file", true}, {"--json", false}};
  if (with_namespace) flags.push_back({"--namespace", true});
  return flags;
}

std::string ConnectionHelp(bool with_namespace) {
  return absl::StrCat(
      "connection:\n"
      "  --endpoint URL    the engine (http, https, ws or wss; https://namespace:token@host works too);\n"
      "                    default $RIVET_ENDPOINT, else ",
      ToAbsl(kDefaultEndpoint), "\n",
      with_namespace ? "  --namespace NAME  default: the endpoint's user info, $RIVET_NAMESPACE, else \"default\"\n" : "",
      "  --token TOKEN     admin token, sent as `Authorization: Bearer`; default: the endpoint's user\n"
      "                    info, else $RIVET_TOKEN. Never printed.\n"
      "  --ca-file PEM     verify https against these CAs instead of the system bundle (e.g. a\n"
      "                    private engine's CA); https certificates are always verified\n"
      "  --json            print the engine's JSON answer instead of a table\n");
}

absl::StatusOr<Connection> ResolveConnection(const CommandLine& command_line, const EnvLookup& env) {
  const std::string url = FirstOf({command_line.Value("--endpoint"), env("RIVET_ENDPOINT")}, kDefaultEndpoint);
  absl::StatusOr<Endpoint> endpoint = ParseEndpoint(url);
  // ParseEndpoint never echoes the URL, so a token in its user info stays out of the message.
  if (!endpoint.ok()) return absl::InvalidArgumentError(absl::StrCat("--endpoint: ", endpoint.status().message()));
  Connection connection;
  connection.json = command_line.Has("--json");
  connection.namespace_name = FirstOf(
      {command_line.Value("--namespace"), NonEmpty(endpoint->namespace_name), env("RIVET_NAMESPACE")}, kDefaultNamespace);
  connection.target.token = FirstOf({command_line.Value("--token"), NonEmpty(endpoint->token), env("RIVET_TOKEN")}, "");
  connection.target.ca_file = command_line.Value("--ca-file").value_or("");
  connection.target.endpoint = *std::move(endpoint);
  return connection;
}

absl::StatusOr<long long> ParseCount(std::string_view flag, std::string_view text) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) {
    return absl::InvalidArgumentError(absl::StrCat(ToAbsl(flag), " expects a non-negative integer, got '", ToAbsl(text), "'"));
  }
  return value;
}

absl::StatusOr<long long> ListLimit(const CommandLine& command_line) {
  const std::optional<std::string> text = command_line.Value("--limit");
  if (!text) return kDefaultListLimit;
  absl::StatusOr<long long> limit = ParseCount("--limit", *text);
  if (limit.ok() && *limit == 0) return absl::InvalidArgumentError("--limit must be at least 1");
  return limit;
}

}  // namespace tether::cli
