// What the deploy commands (`tether namespace|runner-config|actor`) share: flag parsing, the
// connection flags and their RIVET_* variables, and the exit codes.
//
// Threading: plain functions over their arguments.
#ifndef TETHER_TUNNEL_DEPLOY_COMMAND_LINE_H_
#define TETHER_TUNNEL_DEPLOY_COMMAND_LINE_H_

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rest/engine_api.h"

namespace tether::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the engine refused, or could not be reached
inline constexpr int kExitUsage = 2;

// Reads an environment variable; nullopt when unset. Commands take it as a parameter so tests
// do not depend on the real environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;
EnvLookup ProcessEnv();

struct FlagSpec {
  std::string_view name;  // "--json"
  bool takes_value;
};

struct CommandLine {
  std::vector<std::string> positionals;
  std::map<std::string, std::vector<std::string>, std::less<>> flags;  // a switch has one "" value

  bool Has(std::string_view flag) const { return flags.find(flag) != flags.end(); }
  // The last value given for `flag` (later flags override earlier ones), or nullopt.
  std::optional<std::string> Value(std::string_view flag) const;
  // Every value of a repeatable flag, in order.
  std::vector<std::string> Values(std::string_view flag) const;
};

// Accepts `--flag value`, `--flag=value`, switches, and positionals anywhere; `--` ends flags.
// `-h` means `--help`. InvalidArgument names an unknown flag or one missing its value.
absl::StatusOr<CommandLine> ParseCommandLine(std::span<const std::string> args, std::span<const FlagSpec> specs);

// The connection flags every deploy command takes; `with_namespace` adds --namespace.
std::vector<FlagSpec> ConnectionFlags(bool with_namespace);
// Their --help lines.
std::string ConnectionHelp(bool with_namespace);

struct Connection {
  rest::EngineTarget target;
  std::string namespace_name;
  bool json = false;
};

// Where to send requests, by precedence: flags, then the user info of the endpoint URL
// (`https://namespace:token@host`), then RIVET_ENDPOINT / RIVET_NAMESPACE / RIVET_TOKEN, then
// http://127.0.0.1:6420 and namespace "default". InvalidArgument names a malformed endpoint
// (without echoing its user info).
absl::StatusOr<Connection> ResolveConnection(const CommandLine& command_line, const EnvLookup& env);

// Parses a non-negative decimal integer flag value; InvalidArgument names the flag.
absl::StatusOr<long long> ParseCount(std::string_view flag, std::string_view text);

// List commands ask for one page of this many entries (`--limit N`, at least 1). One page,
// because the engine 2.3.19 returns the same namespaces page again for its own cursor.
inline constexpr long long kDefaultListLimit = 1000;
inline constexpr char kLimitHelp[] = "  --limit N  at most N entries (default 1000)\n";
absl::StatusOr<long long> ListLimit(const CommandLine& command_line);

}  // namespace tether::cli

#endif  // TETHER_TUNNEL_DEPLOY_COMMAND_LINE_H_
