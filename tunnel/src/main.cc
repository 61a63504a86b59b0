// The `tether` command line: dispatches to the subcommands.
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "proto_command.h"

namespace {

constexpr char kUsage[] =
    "usage: tether <command> [args]\n"
    "commands:\n"
    "  proto decode|encode|types   convert runner-protocol frames to JSON and back\n";

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
  std::cerr << "tether: unknown command '" << args[0] << "'\n" << kUsage;
  return 2;
}
