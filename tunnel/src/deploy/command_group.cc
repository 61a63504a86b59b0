#include "deploy/command_group.h"

#include <algorithm>
#include <ctime>
#include <ostream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "string_view_conversion.h"

namespace tether::cli {
namespace {

void PrintGroupUsage(std::string_view group, std::span<const Subcommand> subcommands, std::ostream& out) {
  out << "usage:\n";
  for (const Subcommand& sub : subcommands) out << "  tether " << group << " " << sub.verb << " " << sub.synopsis << "\n";
  out << "Run `tether " << group << " <command> --help` for its flags.\n";
}

int UsageError(std::string_view command, const Subcommand& sub, absl::string_view message, std::ostream& err) {
  err << command << ": " << message << "\n"
      << "usage: " << command << " " << sub.synopsis << "\n"
      << "(" << command << " --help lists every flag)\n";
  return kExitUsage;
}

}  // namespace

int RunCommandGroup(std::string_view group, std::span<const Subcommand> subcommands,
                    const std::vector<std::string>& args, const EnvLookup& env, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    PrintGroupUsage(group, subcommands, args.empty() ? err : out);
    return args.empty() ? kExitUsage : kExitOk;
  }
  const auto sub = std::find_if(subcommands.begin(), subcommands.end(),
                                [&](const Subcommand& candidate) { return candidate.verb == args[0]; });
  if (sub == subcommands.end()) {
    err << "tether " << group << ": unknown command '" << args[0] << "'\n";
    PrintGroupUsage(group, subcommands, err);
    return kExitUsage;
  }
  const std::string command = absl::StrCat("tether ", ToAbsl(group), " ", ToAbsl(sub->verb));
  std::vector<FlagSpec> specs = sub->flags;
  for (const FlagSpec& flag : ConnectionFlags(sub->takes_namespace)) specs.push_back(flag);

  const absl::StatusOr<CommandLine> command_line = ParseCommandLine(std::span(args).subspan(1), specs);
  if (!command_line.ok()) return UsageError(command, *sub, command_line.status().message(), err);
  if (command_line->Has("--help")) {
    out << "usage: " << command << " " << sub->synopsis << "\n" << sub->help << ConnectionHelp(sub->takes_namespace);
    return kExitOk;
  }
  const absl::StatusOr<Action> action = sub->prepare(*command_line);
  if (!action.ok()) return UsageError(command, *sub, action.status().message(), err);
  const absl::StatusOr<Connection> connection = ResolveConnection(*command_line, env);
  if (!connection.ok()) return UsageError(command, *sub, connection.status().message(), err);

  const rest::EngineApi api(connection->target);
  const absl::StatusOr<nlohmann::json> result = (*action)(api, *connection);
  if (!result.ok()) {
    err << command << ": " << result.status().message() << "\n";
    if (absl::IsPermissionDenied(result.status())) err << "(the engine has auth on: check --token or RIVET_TOKEN)\n";
    return kExitFailed;
  }
  if (connection->json) {
    out << result->dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    sub->print(*result, *command_line, *connection, out);
  }
  return kExitOk;
}

Subcommand OneTargetRequest(std::string_view verb, std::string_view synopsis, std::string help, std::string_view method,
                            std::function<std::string(const std::string& target, const Connection&)> path,
                            std::string done) {
  return {
      .verb = verb,
      .synopsis = synopsis,
      .help = std::move(help),
      .flags = {},
      .prepare = [synopsis, method, path](const CommandLine& command_line) -> absl::StatusOr<Action> {
        if (absl::Status status = ExpectPositionals(command_line, 1, synopsis); !status.ok()) return status;
        return Action([target = command_line.positionals[0], method, path](const rest::EngineApi& api,
                                                                           const Connection& connection) {
          return api.Call(method, path(target, connection));
        });
      },
      .print =
          [done = std::move(done)](const nlohmann::json&, const CommandLine& command_line,
                                   const Connection& connection, std::ostream& out) {
            out << done << " " << command_line.positionals[0] << " in namespace " << connection.namespace_name << "\n";
          },
  };
}

absl::Status ExpectPositionals(const CommandLine& command_line, std::size_t count, std::string_view names) {
  if (command_line.positionals.size() == count) return absl::OkStatus();
  if (command_line.positionals.size() < count) return absl::InvalidArgumentError(absl::StrCat("missing ", ToAbsl(names)));
  return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", command_line.positionals[count], "'"));
}

void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

std::string Cell(const nlohmann::json& object, std::string_view field) {
  const auto found = object.find(std::string(field));
  if (found == object.end() || found->is_null()) return "-";
  return found->is_string() ? found->get<std::string>() : found->dump();
}

std::string TimestampCell(const nlohmann::json& object, std::string_view field) {
  const auto found = object.find(std::string(field));
  if (found == object.end() || !found->is_number_integer()) return "-";
  const auto seconds = static_cast<std::time_t>(found->get<long long>() / 1000);
  std::tm utc = {};
  char text[32] = {};
  if (gmtime_r(&seconds, &utc) == nullptr || std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc) == 0) {
    return found->dump();
  }
  return text;
}

}  // namespace tether::cli
