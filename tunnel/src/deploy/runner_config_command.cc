// `tether runner-config upsert|list|delete` over PUT, GET and DELETE /runner-configs.
#include <ostream>

#include "absl/strings/str_cat.h"
#include "deploy/command_group.h"
#include "deploy/deploy_commands.h"
#include "string_view_conversion.h"

namespace tether::cli {
namespace {

// Serverless settings given as flags, with the engine's field names. Each is a count.
struct CountField {
  std::string_view flag;
  std::string_view field;
};
constexpr CountField kServerlessCounts[] = {
    {"--request-lifespan", "request_lifespan"},   {"--drain-grace-period", "drain_grace_period"},
    {"--max-runners", "max_runners"},             {"--min-runners", "min_runners"},
    {"--slots-per-runner", "slots_per_runner"},   {"--runners-margin", "runners_margin"},
    {"--max-concurrent-actors", "max_concurrent_actors"},
};

std::string RunnerConfigPath(const std::string& runner_name, const Connection& connection) {
  return absl::StrCat("/runner-configs/", rest::UrlEncode(runner_name),
                      "?namespace=", rest::UrlEncode(connection.namespace_name));
}

absl::StatusOr<nlohmann::json> ServerlessConfig(const CommandLine& command_line, const std::string& url) {
  nlohmann::json config = {{"url", url}};
  for (const CountField& count : kServerlessCounts) {
    const std::optional<std::string> text = command_line.Value(count.flag);
    if (!text) continue;
    const absl::StatusOr<long long> value = ParseCount(count.flag, *text);
    if (!value.ok()) return value.status();
    config[std::string(count.field)] = *value;
  }
  if (!config.contains("request_lifespan")) {
    return absl::InvalidArgumentError("--serverless-url needs --request-lifespan (seconds)");
  }
  nlohmann::json headers = nlohmann::json::object();
  for (const std::string& header : command_line.Values("--header")) {
    const std::size_t equals = header.find('=');
    if (equals == 0 || equals == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("--header expects NAME=VALUE, got '", header, "'"));
    }
    headers[header.substr(0, equals)] = header.substr(equals + 1);
  }
  if (!headers.empty()) config["headers"] = headers;
  return nlohmann::json{{"serverless", config}};
}

// The config for one datacenter: serverless with --serverless-url, normal otherwise.
absl::StatusOr<nlohmann::json> DatacenterConfig(const CommandLine& command_line) {
  if (const std::optional<std::string> url = command_line.Value("--serverless-url")) {
    return ServerlessConfig(command_line, *url);
  }
  for (const CountField& count : kServerlessCounts) {
    if (command_line.Has(count.flag)) {
      return absl::InvalidArgumentError(absl::StrCat(ToAbsl(count.flag), " needs --serverless-url"));
    }
  }
  if (command_line.Has("--header")) return absl::InvalidArgumentError("--header needs --serverless-url");
  return nlohmann::json{{"normal", nlohmann::json::object()}};
}

// The engine replaces a runner config in every datacenter at once, deleting it where the map has
// no entry, so by default the config goes to every datacenter the engine has.
absl::StatusOr<std::vector<std::string>> TargetDatacenters(const rest::EngineApi& api,
                                                           const CommandLine& command_line) {
  if (command_line.Has("--datacenter")) return command_line.Values("--datacenter");
  const absl::StatusOr<nlohmann::json> listed = api.Call("GET", "/datacenters");
  if (!listed.ok()) return listed.status();
  std::vector<std::string> names;
  for (const nlohmann::json& datacenter : listed->value("datacenters", nlohmann::json::array())) {
    names.push_back(datacenter.at("name").get<std::string>());
  }
  return names;
}

Subcommand Upsert() {
  return {
      .verb = "upsert",
      .synopsis = "<runner-name> [--serverless-url URL --request-lifespan S [--drain-grace-period S] "
                  "[--header NAME=VALUE]... [--max-runners N] [--min-runners N] [--slots-per-runner N] "
                  "[--runners-margin N] [--max-concurrent-actors N]] [--datacenter NAME]...",
      .help =
          "Creates or replaces the runner config actors with runner_name_selector <runner-name> are\n"
          "scheduled by (PUT /runner-configs/<runner-name>). Without --serverless-url the config is\n"
          "\"normal\": runners connect to the engine themselves. With it, the engine starts runners\n"
          "itself by calling GET <URL>/start.\n"
          "  --serverless-url URL       serverless: the runner endpoint's base URL\n"
          "  --request-lifespan S       required with --serverless-url: seconds each /start request lives\n"
          "  --drain-grace-period S     must be less than --request-lifespan (engine default 1800)\n"
          "  --header NAME=VALUE        sent with every /start and /metadata request; repeatable\n"
          "  --max-runners N            engine default 1000\n"
          "  --min-runners N            engine default 0\n"
          "  --slots-per-runner N       actors per runner, at least 1 (engine default 1)\n"
          "  --runners-margin N         idle runners kept ready (engine default 0)\n"
          "  --max-concurrent-actors N  engine default: --max-runners\n"
          "  --datacenter NAME          repeatable; default every datacenter of the engine. The config\n"
          "                             is deleted from datacenters not named.\n",
      .flags = {{"--serverless-url", true},
                {"--header", true},
                {"--request-lifespan", true},
                {"--drain-grace-period", true},
                {"--max-runners", true},
                {"--min-runners", true},
                {"--slots-per-runner", true},
                {"--runners-margin", true},
                {"--max-concurrent-actors", true},
                {"--datacenter", true}},
      .prepare = [](const CommandLine& command_line) -> absl::StatusOr<Action> {
        if (absl::Status status = ExpectPositionals(command_line, 1, "the runner name"); !status.ok()) return status;
        absl::StatusOr<nlohmann::json> config = DatacenterConfig(command_line);
        if (!config.ok()) return config.status();
        return Action([command_line, config = *std::move(config)](const rest::EngineApi& api,
                                                                   const Connection& connection)
                          -> absl::StatusOr<nlohmann::json> {
          const absl::StatusOr<std::vector<std::string>> datacenters = TargetDatacenters(api, command_line);
          if (!datacenters.ok()) return datacenters.status();
          nlohmann::json body = {{"datacenters", nlohmann::json::object()}};
          for (const std::string& datacenter : *datacenters) body["datacenters"][datacenter] = config;
          return api.Call("PUT", RunnerConfigPath(command_line.positionals[0], connection), body);
        });
      },
      .print =
          [](const nlohmann::json&, const CommandLine& command_line, const Connection& connection, std::ostream& out) {
            out << "upserted " << (command_line.Has("--serverless-url") ? "serverless" : "normal") << " runner config "
                << command_line.positionals[0] << " in namespace " << connection.namespace_name << "\n";
          },
  };
}

std::vector<std::string> RunnerConfigRow(const std::string& name, const std::string& datacenter,
                                         const nlohmann::json& config) {
  const bool serverless = config.contains("serverless");
  const nlohmann::json& settings = serverless ? config["serverless"] : config.value("normal", nlohmann::json::object());
  return {name,
          datacenter,
          serverless ? "serverless" : "normal",
          Cell(settings, "url"),
          Cell(settings, "slots_per_runner"),
          Cell(settings, "min_runners"),
          Cell(settings, "max_runners"),
          Cell(config, "runner_pool_error")};
}

Subcommand List() {
  return {
      .verb = "list",
      .synopsis = "",
      .help = "Lists the namespace's runner configs, one line per datacenter (GET /runner-configs).\n",
      .flags = {},
      .prepare = [](const CommandLine& command_line) -> absl::StatusOr<Action> {
        if (absl::Status status = ExpectPositionals(command_line, 0, ""); !status.ok()) return status;
        return Action([](const rest::EngineApi& api, const Connection& connection) {
          return api.Call("GET", absl::StrCat("/runner-configs?namespace=", rest::UrlEncode(connection.namespace_name)));
        });
      },
      .print =
          [](const nlohmann::json& result, const CommandLine&, const Connection&, std::ostream& out) {
            std::vector<std::vector<std::string>> rows = {
                {"NAME", "DATACENTER", "KIND", "URL", "SLOTS/RUNNER", "MIN", "MAX", "POOL ERROR"}};
            for (const auto& [name, runner_config] : result.at("runner_configs").items()) {
              for (const auto& [datacenter, config] : runner_config.at("datacenters").items()) {
                rows.push_back(RunnerConfigRow(name, datacenter, config));
              }
            }
            PrintTable(out, rows);
          },
  };
}

Subcommand Delete() {
  return OneTargetRequest("delete", "<runner-name>",
                          "Deletes the runner config in every datacenter (DELETE /runner-configs/<runner-name>).\n"
                          "The engine answers success for a name it does not know.\n",
                          "DELETE", &RunnerConfigPath, "deleted runner config");
}

}  // namespace

int RunRunnerConfigCommand(const std::vector<std::string>& args, const EnvLookup& env, std::ostream& out,
                           std::ostream& err) {
  const Subcommand subcommands[] = {Upsert(), List(), Delete()};
  return RunCommandGroup("runner-config", subcommands, args, env, out, err);
}

}  // namespace tether::cli
