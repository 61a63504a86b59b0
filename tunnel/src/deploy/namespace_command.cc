// `tether namespace create|list` over POST and GET /namespaces.
#include <ostream>

#include "absl/strings/str_cat.h"
#include "deploy/command_group.h"
#include "deploy/deploy_commands.h"

namespace tether::cli {
namespace {

std::vector<std::string> NamespaceRow(const nlohmann::json& ns) {
  return {Cell(ns, "name"), Cell(ns, "display_name"), Cell(ns, "namespace_id"), TimestampCell(ns, "create_ts")};
}

Subcommand CreateNamespace() {
  return {
      .verb = "create",
      .synopsis = "<name> [--display-name TEXT]",
      .help = "Creates a namespace (POST /namespaces). Names are 1 to 64 characters of a-z, 0-9 and '-'.\n"
              "  --display-name TEXT  shown in dashboards; default: the name\n",
      .flags = {{"--display-name", true}},
      .takes_namespace = false,
      .prepare = [](const CommandLine& command_line) -> absl::StatusOr<Action> {
        if (absl::Status status = ExpectPositionals(command_line, 1, "the namespace name"); !status.ok()) return status;
        const std::string name = command_line.positionals[0];
        // The engine requires display_name (400 "missing field `display_name`" without it).
        const nlohmann::json body = {{"name", name},
                                     {"display_name", command_line.Value("--display-name").value_or(name)}};
        return Action([body](const rest::EngineApi& api, const Connection&) {
          return api.Call("POST", "/namespaces", body);
        });
      },
      .print =
          [](const nlohmann::json& result, const CommandLine&, const Connection&, std::ostream& out) {
            const nlohmann::json& ns = result.at("namespace");
            out << "created namespace " << Cell(ns, "name") << " (id " << Cell(ns, "namespace_id") << ")\n";
          },
  };
}

Subcommand ListNamespaces() {
  return {
      .verb = "list",
      .synopsis = "[--limit N]",
      .help = absl::StrCat("Lists the engine's namespaces (GET /namespaces).\n", kLimitHelp),
      .flags = {{"--limit", true}},
      .takes_namespace = false,
      .prepare = [](const CommandLine& command_line) -> absl::StatusOr<Action> {
        if (absl::Status status = ExpectPositionals(command_line, 0, ""); !status.ok()) return status;
        const absl::StatusOr<long long> limit = ListLimit(command_line);
        if (!limit.ok()) return limit.status();
        return Action([limit = *limit](const rest::EngineApi& api, const Connection&) {
          return api.Call("GET", absl::StrCat("/namespaces?limit=", limit));
        });
      },
      .print =
          [](const nlohmann::json& result, const CommandLine&, const Connection&, std::ostream& out) {
            std::vector<std::vector<std::string>> rows = {{"NAME", "DISPLAY NAME", "ID", "CREATED (UTC)"}};
            for (const nlohmann::json& ns : result.at("namespaces")) rows.push_back(NamespaceRow(ns));
            PrintTable(out, rows);
          },
  };
}

}  // namespace

int RunNamespaceCommand(const std::vector<std::string>& args, const EnvLookup& env, std::ostream& out,
                        std::ostream& err) {
  const Subcommand subcommands[] = {CreateNamespace(), ListNamespaces()};
  return RunCommandGroup("namespace", subcommands, args, env, out, err);
}

}  // namespace tether::cli
