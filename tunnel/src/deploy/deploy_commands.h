// The operator commands that deploy to an engine over its public REST API, one per group:
//
//   tether namespace create|list
//   tether runner-config upsert|list|delete
//   tether actor create|get|list|destroy
//
// `--help` on any of them lists its flags. Exit status: 0 on success, 1 when the engine refused
// the request or could not be reached (the engine's error code and message on stderr), 2 on a
// usage error (the offending flag named on stderr).
#ifndef TETHER_TUNNEL_DEPLOY_DEPLOY_COMMANDS_H_
#define TETHER_TUNNEL_DEPLOY_DEPLOY_COMMANDS_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "deploy/command_line.h"

namespace tether::cli {

// `args` are the words after the group name; `env` supplies RIVET_ENDPOINT, RIVET_NAMESPACE and
// RIVET_TOKEN. Threading: uses only the given streams; each call makes blocking requests.
int RunNamespaceCommand(const std::vector<std::string>& args, const EnvLookup& env, std::ostream& out,
                        std::ostream& err);
int RunRunnerConfigCommand(const std::vector<std::string>& args, const EnvLookup& env, std::ostream& out,
                           std::ostream& err);
int RunActorCommand(const std::vector<std::string>& args, const EnvLookup& env, std::ostream& out, std::ostream& err);

}  // namespace tether::cli

#endif  // TETHER_TUNNEL_DEPLOY_DEPLOY_COMMANDS_H_
