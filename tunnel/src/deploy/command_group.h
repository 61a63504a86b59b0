// A deploy command group (`tether namespace`, `tether runner-config`, `tether actor`): its
// subcommands, their help, and the one way they all run: parse flags (usage error: exit 2),
// resolve the connection, call the engine (failure: exit 1 with the engine's message), print
// the JSON answer or a table.
//
// Threading: RunCommandGroup uses only its arguments.
#ifndef TETHER_TUNNEL_DEPLOY_COMMAND_GROUP_H_
#define TETHER_TUNNEL_DEPLOY_COMMAND_GROUP_H_

#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "deploy/command_line.h"
#include "rest/engine_api.h"

namespace tether::cli {

// What a subcommand does once its flags are valid. It returns the JSON printed by --json.
using Action = std::function<absl::StatusOr<nlohmann::json>(const rest::EngineApi& api, const Connection& connection)>;
// Prints the Action's result for people (without --json).
using Printer = std::function<void(const nlohmann::json& result, const CommandLine& command_line,
                                   const Connection& connection, std::ostream& out)>;

struct Subcommand {
  std::string_view verb;      // "create"
  std::string_view synopsis;  // what follows "tether <group> <verb>", e.g. "<name> [--key KEY]"
  std::string help;           // what it does, then one line per flag
  std::vector<FlagSpec> flags;  // its own flags; the connection flags are added
  bool takes_namespace = true;
  // Checks positionals and flags; an error here is a usage error (exit 2), before any request.
  std::function<absl::StatusOr<Action>(const CommandLine& command_line)> prepare;
  Printer print;
};

// A subcommand that sends one request without a body about one named thing, e.g.
// `tether actor destroy <actor-id>`: `target` names the positional ("actor-id"), `path` builds
// the request path from it, and `done` ("destroyed actor") is printed before it.
Subcommand OneTargetRequest(std::string_view verb, std::string_view synopsis, std::string help, std::string_view method,
                            std::function<std::string(const std::string& target, const Connection&)> path,
                            std::string done);

// `args` are the words after the group name.
int RunCommandGroup(std::string_view group, std::span<const Subcommand> subcommands,
                    const std::vector<std::string>& args, const EnvLookup& env, std::ostream& out, std::ostream& err);

// InvalidArgument unless exactly `count` positionals were given; `names` describes them.
absl::Status ExpectPositionals(const CommandLine& command_line, std::size_t count, std::string_view names);

// Prints rows under a header, columns padded to their widest cell.
void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

// A JSON field for a table cell: strings as they are, null or missing as "-", others dumped.
std::string Cell(const nlohmann::json& object, std::string_view field);
// An engine timestamp (milliseconds since the epoch) as UTC "2026-11-27 23:32:13", or "-".
std::string TimestampCell(const nlohmann::json& object, std::string_view field);

}  // namespace tether::cli

#endif  // TETHER_TUNNEL_DEPLOY_COMMAND_GROUP_H_
