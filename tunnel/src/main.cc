// The `tether` command line: dispatches to the subcommands.
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/agent_command.h"
#include "deploy/deploy_commands.h"
#include "proto_command.h"

namespace {

constexpr char kUsage[] =
    "usage: tether <command> [args]\n"
    "commands:\n"
    "  agent                                host actors by forwarding them to an HTTP/WebSocket app\n"
    "  proto decode|encode|types            convert runner-protocol frames to JSON and back\n"
    "  namespace create|list                namespaces of the engine (REST API)\n"
    "  runner-config upsert|list|delete     runner configs, normal or serverless (REST API)\n"
    "  actor create|get|list|destroy        actors (REST API)\n"
    "Run `tether <command> --help` for details.\n";

using GroupCommand = int (*)(const std::vector<std::string>&, const tether::cli::EnvLookup&, std::ostream&,
                             std::ostream&);
constexpr std::pair<std::string_view, GroupCommand> kDeployCommands[] = {
    {"namespace", &tether::cli::RunNamespaceCommand},
    {"runner-config", &tether::cli::RunRunnerConfigCommand},
    {"actor", &tether::cli::RunActorCommand},
};

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? std::cerr : std::cout) << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "proto") {
    std::ios::sync_with_stdio(false);
    return tether::cli::RunProtoCommand({args.begin() + 1, args.end()}, std::cin, std::cout, std::cerr);
  }
  if (args[0] == "agent") {
    return tether::agent::RunAgentCommand({args.begin() + 1, args.end()}, tether::cli::ProcessEnv(), std::cout,
                                          std::cerr);
  }
  for (const auto& [name, run] : kDeployCommands) {
    if (args[0] == name) return run({args.begin() + 1, args.end()}, tether::cli::ProcessEnv(), std::cout, std::cerr);
  }
  std::cerr << "tether: unknown command '" << args[0] << "'\n" << kUsage;
  return 2;
}
