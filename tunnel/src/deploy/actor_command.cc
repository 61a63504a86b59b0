// `tether actor create|get|list|destroy` over /actors.
#include <fstream>
#include <iterator>
#include <ostream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "deploy/command_group.h"
#include "deploy/deploy_commands.h"

namespace tether::cli {
namespace {

std::string ActorsQuery(const Connection& connection) {
  return absl::StrCat("/actors?namespace=", rest::UrlEncode(connection.namespace_name));
}

// --input TEXT sends TEXT's bytes; --input @FILE sends the file's bytes.
absl::StatusOr<std::string> InputBytes(const std::string& input) {
  if (!input.starts_with("@")) return input;
  const std::string path = input.substr(1);
  std::ifstream file(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (!file.is_open() || file.bad()) return absl::InvalidArgumentError(absl::StrCat("--input: cannot read '", path, "'"));
  return bytes;
}

// A one-word summary of the actor's timestamps, newest state first.
std::string ActorState(const nlohmann::json& actor) {
  std::string state = "created";
  for (const auto& [field, name] : {std::pair{"destroy_ts", "destroyed"}, {"sleep_ts", "sleeping"},
                                    {"connectable_ts", "running"}, {"pending_allocation_ts", "pending"},
                                    {"start_ts", "starting"}}) {
    if (actor.contains(field) && !actor[field].is_null()) {
      state = name;
      break;
    }
  }
  if (actor.contains("error") && !actor["error"].is_null()) state += " (error: " + Cell(actor, "error") + ")";
  return state;
}

void PrintActors(const nlohmann::json& actors, std::ostream& out) {
  std::vector<std::vector<std::string>> rows = {{"ID", "NAME", "KEY", "RUNNER", "STATE", "CREATED (UTC)"}};
  for (const nlohmann::json& actor : actors) {
    rows.push_back({Cell(actor, "actor_id"), Cell(actor, "name"), Cell(actor, "key"),
                    Cell(actor, "runner_name_selector"), ActorState(actor), TimestampCell(actor, "create_ts")});
  }
  PrintTable(out, rows);
}

Subcommand Create() {
  return {
      .verb = "create",
      .synopsis = "<name> [--key KEY] [--input TEXT|@FILE] [--crash-policy restart|sleep|destroy] "
                  "[--runner-name NAME] [--datacenter NAME]",
      .help = "Creates an actor (POST /actors); the engine starts it on a runner of --runner-name.\n"
              "  --key KEY            at most one actor per name and key\n"
              "  --input TEXT|@FILE   bytes the actor gets at start (ActorInfo::input): TEXT, or FILE's bytes\n"
              "  --crash-policy P     restart | sleep | destroy, what the engine does when the actor\n"
              "                       crashes or its runner goes away (default sleep)\n"
              "  --runner-name NAME   the runner config that hosts it (default \"default\")\n"
              "  --datacenter NAME    default: the engine's choice\n",
      .flags = {{"--key", true}, {"--input", true}, {"--crash-policy", true}, {"--runner-name", true},
                {"--datacenter", true}},
      .prepare = [](const CommandLine& command_line) -> absl::StatusOr<Action> {
        if (absl::Status status = ExpectPositionals(command_line, 1, "the actor name"); !status.ok()) return status;
        const std::string crash_policy = command_line.Value("--crash-policy").value_or("sleep");
        if (crash_policy != "restart" && crash_policy != "sleep" && crash_policy != "destroy") {
          return absl::InvalidArgumentError(
              absl::StrCat("--crash-policy must be restart, sleep or destroy, got '", crash_policy, "'"));
        }
        nlohmann::json body = {{"name", command_line.positionals[0]},
                               {"runner_name_selector", command_line.Value("--runner-name").value_or("default")},
                               {"crash_policy", crash_policy}};
        if (const std::optional<std::string> key = command_line.Value("--key")) body["key"] = *key;
        if (const std::optional<std::string> datacenter = command_line.Value("--datacenter")) {
          body["datacenter"] = *datacenter;
        }
        if (const std::optional<std::string> input = command_line.Value("--input")) {
          const absl::StatusOr<std::string> bytes = InputBytes(*input);
          if (!bytes.ok()) return bytes.status();
          body["input"] = absl::Base64Escape(*bytes);
        }
        return Action([body](const rest::EngineApi& api, const Connection& connection) {
          return api.Call("POST", ActorsQuery(connection), body);
        });
      },
      .print =
          [](const nlohmann::json& result, const CommandLine&, const Connection&, std::ostream& out) {
            const nlohmann::json& actor = result.at("actor");
            out << "created actor " << Cell(actor, "actor_id") << " (name " << Cell(actor, "name") << ", key "
                << Cell(actor, "key") << ")\n";
          },
  };
}

Subcommand Get() {
  return {
      .verb = "get",
      .synopsis = "<actor-id>",
      .help = "Shows one actor, destroyed ones included (GET /actors?actor_ids=). --json prints {\"actor\": ...}.\n",
      .flags = {},
      .prepare = [](const CommandLine& command_line) -> absl::StatusOr<Action> {
        if (absl::Status status = ExpectPositionals(command_line, 1, "the actor id"); !status.ok()) return status;
        return Action([id = command_line.positionals[0]](const rest::EngineApi& api, const Connection& connection)
                          -> absl::StatusOr<nlohmann::json> {
          const absl::StatusOr<nlohmann::json> found =
              api.Call("GET", absl::StrCat(ActorsQuery(connection), "&actor_ids=", rest::UrlEncode(id)));
          if (!found.ok()) return found.status();
          for (const nlohmann::json& actor : found->value("actors", nlohmann::json::array())) {
            if (actor.value("actor_id", "") == id) return nlohmann::json{{"actor", actor}};
          }
          return absl::NotFoundError(absl::StrCat("no actor ", id, " in namespace ", connection.namespace_name));
        });
      },
      .print =
          [](const nlohmann::json& result, const CommandLine&, const Connection&, std::ostream& out) {
            const nlohmann::json& actor = result.at("actor");
            std::vector<std::vector<std::string>> rows = {{"state:", ActorState(actor)}};
            for (const auto& [field, value] : actor.items()) {
              const std::string cell = field.ends_with("_ts") ? TimestampCell(actor, field) : Cell(actor, field);
              rows.push_back({field + ":", field.ends_with("_ts") && cell != "-" ? cell + " UTC" : cell});
            }
            PrintTable(out, rows);
          },
  };
}

// GET /actors needs a name, so listing everything walks GET /actors/names first.
absl::StatusOr<std::vector<std::string>> ActorNames(const rest::EngineApi& api, const Connection& connection,
                                                    const CommandLine& command_line, long long limit) {
  if (const std::optional<std::string> name = command_line.Value("--name")) return std::vector<std::string>{*name};
  const absl::StatusOr<nlohmann::json> listed =
      api.Call("GET", absl::StrCat("/actors/names?namespace=", rest::UrlEncode(connection.namespace_name),
                                   "&limit=", limit));
  if (!listed.ok()) return listed.status();
  // Kept in a variable: items() of a temporary would dangle in the loop.
  const nlohmann::json by_name = listed->value("names", nlohmann::json::object());
  std::vector<std::string> names;
  for (const auto& [name, details] : by_name.items()) names.push_back(name);
  return names;
}

Subcommand List() {
  return {
      .verb = "list",
      .synopsis = "[--name NAME [--key KEY]] [--include-destroyed] [--limit N]",
      .help = absl::StrCat("Lists actors (GET /actors); --json prints {\"actors\": [...]}.\n"
                           "  --name NAME          only actors of this name (default: every name)\n"
                           "  --key KEY            only the actor with this key (needs --name)\n"
                           "  --include-destroyed  destroyed actors too\n",
                           kLimitHelp),
      .flags = {{"--name", true}, {"--key", true}, {"--include-destroyed", false}, {"--limit", true}},
      .prepare = [](const CommandLine& command_line) -> absl::StatusOr<Action> {
        if (absl::Status status = ExpectPositionals(command_line, 0, ""); !status.ok()) return status;
        if (command_line.Has("--key") && !command_line.Has("--name")) {
          return absl::InvalidArgumentError("--key needs --name");
        }
        const absl::StatusOr<long long> limit = ListLimit(command_line);
        if (!limit.ok()) return limit.status();
        return Action([command_line, limit = *limit](const rest::EngineApi& api, const Connection& connection)
                          -> absl::StatusOr<nlohmann::json> {
          const absl::StatusOr<std::vector<std::string>> names = ActorNames(api, connection, command_line, limit);
          if (!names.ok()) return names.status();
          std::string filters = absl::StrCat("&limit=", limit);
          if (const std::optional<std::string> key = command_line.Value("--key")) {
            absl::StrAppend(&filters, "&key=", rest::UrlEncode(*key));
          }
          if (command_line.Has("--include-destroyed")) absl::StrAppend(&filters, "&include_destroyed=true");
          nlohmann::json actors = nlohmann::json::array();
          for (const std::string& name : *names) {
            const absl::StatusOr<nlohmann::json> page =
                api.Call("GET", absl::StrCat(ActorsQuery(connection), "&name=", rest::UrlEncode(name), filters));
            if (!page.ok()) return page.status();
            for (const nlohmann::json& actor : page->value("actors", nlohmann::json::array())) actors.push_back(actor);
          }
          return nlohmann::json{{"actors", actors}};
        });
      },
      .print = [](const nlohmann::json& result, const CommandLine&, const Connection&,
                  std::ostream& out) { PrintActors(result.at("actors"), out); },
  };
}

Subcommand Destroy() {
  return OneTargetRequest(
      "destroy", "<actor-id>",
      "Destroys an actor (DELETE /actors/<actor-id>); its state is deleted. The engine answers\n"
      "success for an actor already destroyed.\n",
      "DELETE",
      [](const std::string& id, const Connection& connection) {
        return absl::StrCat("/actors/", rest::UrlEncode(id), "?namespace=", rest::UrlEncode(connection.namespace_name));
      },
      "destroyed actor");
}

}  // namespace

int RunActorCommand(const std::vector<std::string>& args, const EnvLookup& env, std::ostream& out, std::ostream& err) {
  const Subcommand subcommands[] = {Create(), Get(), List(), Destroy()};
  return RunCommandGroup("actor", subcommands, args, env, out, err);
}

}  // namespace tether::cli
