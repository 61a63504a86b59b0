// `tether agent`: runs the tunnel agent until SIGTERM/SIGINT (drain, exit 0) or a fatal error
// (exit 1). `tether agent --help` documents flags, variables and the upstream contract.
#ifndef TETHER_TUNNEL_AGENT_AGENT_COMMAND_H_
#define TETHER_TUNNEL_AGENT_AGENT_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "deploy/command_line.h"

namespace tether::agent {

// `args` are the words after "agent"; `env` supplies the TETHER_* variables (RIVET_* are read
// from the process environment by the SDK). Blocks until the agent stops. Call from the main
// thread before any other thread starts: it sets up termination signal handling.
int RunAgentCommand(const std::vector<std::string>& args, const cli::EnvLookup& env, std::ostream& out,
                    std::ostream& err);

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_AGENT_COMMAND_H_
