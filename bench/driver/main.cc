// bench-driver: runs every scenario of bench/README.md for tether, for the official TypeScript
// runner and for the Node addon on the same real engine, repeated, and writes the results table.
//
//   bench-driver [--repetitions N] [--out FILE] [--work-dir DIR] [--smoke]
//                [--duration-ms T] [--warmup-ms T] [--actors N] [--sockets N]
//                [--node PATH] [--tether-runner PATH] [--addon PATH | --no-addon]
//                [--tether-only | --addon-only]
//
// --tether-runner runs another program as tether's runner, e.g. a script wrapping it in a
// profiler. --node does the same for both JavaScript runners.
// --addon: the Node addon's .node (default: the tether_node target of this build, when the build
// has it); --no-addon leaves the addon out.
// --tether-only: only tether's runner scenarios (report: <work dir>/tether-results.md);
// --addon-only: only the official runner's and the addon's (<work dir>/addon-results.md); both
// for before/after comparisons while changing one of them.
// --smoke: one repetition with tiny counts (CI's check that nothing rotted), written to --out
// (default: <work dir>/smoke-results.md) rather than bench/RESULTS.md.
// Exit code 0 when every scenario ran, 1 otherwise (the report lists the failures).
#include <sys/utsname.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "common/flags.h"
#include "driver/process.h"
#include "driver/report.h"
#include "driver/scenarios.h"
#include "harness/local_engine.h"

namespace tether::bench {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr std::size_t kMaxFailureText = 600;

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// The value of the first "<key><spaces>: value" line of a /proc file.
std::string ProcField(const std::string& path, const std::string& key) {
  std::ifstream file(path);
  for (std::string line; std::getline(file, line);) {
    if (line.rfind(key, 0) != 0) continue;
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) return std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return "unknown";
}

std::string FirstLineOf(const std::vector<std::string>& argv, const std::string& work_dir) {
  absl::StatusOr<std::string> text = RunAndCapture(argv, work_dir + "/versions.log", milliseconds(10000));
  if (!text.ok()) return "unknown";
  return std::string(absl::StripAsciiWhitespace(text->substr(0, text->find('\n'))));
}

std::string PackageVersion(const std::string& source_dir, const std::string& package) {
  const nlohmann::json manifest = nlohmann::json::parse(
      ReadFile(absl::StrCat(source_dir, "/node_modules/", package, "/package.json")), nullptr, false);
  return manifest.is_object() ? manifest.value("version", "unknown") : "not installed";
}

std::vector<std::pair<std::string, std::string>> MachineInfo() {
  utsname system{};
  ::uname(&system);
  return {{"CPU", ProcField("/proc/cpuinfo", "model name")},
          {"cores", std::to_string(std::thread::hardware_concurrency())},
          {"memory", ProcField("/proc/meminfo", "MemTotal")},
          {"kernel", absl::StrCat(system.sysname, " ", system.release)},
          {"load average at start", ReadFile("/proc/loadavg").substr(0, 14)}};
}

// The addon's package version and which .node the run loads.
std::string AddonVersion(const BenchConfig& config) {
  const nlohmann::json manifest =
      nlohmann::json::parse(ReadFile(config.paths.addon_package + "/package.json"), nullptr, false);
  const std::string version = manifest.is_object() ? manifest.value("version", "unknown") : "unknown";
  return absl::StrCat("@tether/engine-runner ", version, " (bindings/node, this commit), ", config.paths.addon);
}

std::vector<std::pair<std::string, std::string>> Versions(const BenchConfig& config, const std::string& source_dir) {
  std::string commit = FirstLineOf({"git", "-C", source_dir, "rev-parse", "--short", "HEAD"}, config.work_dir);
  const std::string changes = FirstLineOf({"git", "-C", source_dir, "status", "--porcelain", "--untracked-files=no"},
                                          config.work_dir);
  if (!changes.empty() && changes != "unknown") absl::StrAppend(&commit, " with uncommitted changes");
  std::vector<std::pair<std::string, std::string>> versions = {
      {"tether", absl::StrCat("commit ", commit, ", ", TETHER_BENCH_BUILD_TYPE, " build, ", TETHER_BENCH_COMPILER)},
      {"official runner",
       absl::StrCat("@rivetkit/engine-runner ", PackageVersion(source_dir, "@rivetkit/engine-runner"))}};
  if (!config.paths.addon.empty()) versions.emplace_back("Node addon", AddonVersion(config));
  versions.emplace_back("official codec", absl::StrCat("@rivetkit/engine-runner-protocol ",
                                                       PackageVersion(source_dir, "@rivetkit/engine-runner-protocol")));
  versions.emplace_back("Node.js", FirstLineOf({config.paths.node, "--version"}, config.work_dir));
  versions.emplace_back("engine", absl::StrCat("rivet-engine ", std::string(testing::kPinnedEngineVersion),
                                               " (one fresh engine per runner and repetition)"));
  return versions;
}

std::vector<std::pair<std::string, std::string>> SettingsInfo(const BenchConfig& config) {
  return {
      {"repetitions", std::to_string(config.repetitions)},
      {"load", absl::StrCat("after a ", config.warmup.count(), " ms warm-up, ", config.duration.count(),
                            " ms measured per figure, on loopback; ", config.message_bytes,
                            "-byte binary WebSocket messages, ", config.ws_window,
                            " in flight per socket; HTTP POST with a ", config.message_bytes,
                            "-byte body, one request in flight per connection (keep-alive)")},
      {"memory", absl::StrCat(config.actors, " actors, ", config.held_sockets, " open sockets; RSS read ",
                              config.settle.count(), " ms after each step")},
      {"CPU", "utime + stime from /proc/<pid>/stat of the runner and the engine, read just before and after the "
              "measured phase; the load generator's own CPU time of that phase"},
  };
}

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  return text;
}

absl::StatusOr<BenchConfig> ConfigFromFlags(const Flags& flags, const std::string& source_dir) {
  BenchConfig config;
  config.paths = {flags.GetString("tether-runner", TETHER_BENCH_RUNNER),
                  TETHER_BENCH_LOAD,
                  TETHER_BENCH_FLOOR,
                  TETHER_BENCH_CODEC,
                  flags.GetString("node", "node"),
                  source_dir + "/bench/runners/js_echo_runner.mjs",
                  source_dir + "/bench/codec/official_codec_bench.mjs",
                  source_dir + "/bindings/node",
                  flags.Has("no-addon") ? std::string() : flags.GetString("addon", TETHER_BENCH_ADDON)};
  if (flags.Has("tether-only") && flags.Has("addon-only")) {
    return absl::InvalidArgumentError("--tether-only and --addon-only exclude each other");
  }
  if (flags.Has("addon-only") && config.paths.addon.empty()) {
    return absl::InvalidArgumentError("--addon-only needs the addon (--addon PATH; this build has none)");
  }
  if (flags.Has("smoke")) {
    config.repetitions = 1;
    config.warmup = milliseconds(100);
    config.duration = milliseconds(300);
    config.actors = 10;
    config.held_sockets = 10;
    config.settle = milliseconds(100);
    config.codec_min_ms = 10;
  }
  const auto get = [&](const char* name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) -> absl::StatusOr<std::int64_t> {
    absl::StatusOr<std::int64_t> value = flags.GetInt(name, fallback);
    if (value.ok() && (*value < min || *value > max)) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " must be in [", min, ", ", max, "]"));
    }
    return value;
  };
  absl::StatusOr<std::int64_t> repetitions = get("repetitions", config.repetitions, 1, 20);
  absl::StatusOr<std::int64_t> duration = get("duration-ms", config.duration.count(), 50, 120000);
  absl::StatusOr<std::int64_t> warmup = get("warmup-ms", config.warmup.count(), 0, 60000);
  absl::StatusOr<std::int64_t> actors = get("actors", config.actors, 1, 5000);
  absl::StatusOr<std::int64_t> sockets = get("sockets", config.held_sockets, 1, 5000);
  for (const auto* value : {&repetitions, &duration, &warmup, &actors, &sockets}) {
    if (!value->ok()) return value->status();
  }
  config.repetitions = static_cast<int>(*repetitions);
  config.duration = milliseconds(*duration);
  config.warmup = milliseconds(*warmup);
  config.actors = static_cast<int>(*actors);
  config.held_sockets = static_cast<int>(*sockets);
  return config;
}

// One line, bounded: failures carry log tails.
std::string Flatten(const std::string& scenario, const absl::Status& status) {
  std::string text = absl::StrCat(scenario, ": ", status.ToString());
  absl::StrReplaceAll({{"\n", " / "}, {"|", "\\|"}}, &text);
  if (text.size() > kMaxFailureText) text = text.substr(0, kMaxFailureText) + " …";
  return text;
}

// A missing .node fails the addon's scenarios with what to do, rather than with node's stack trace.
absl::Status CheckAddon(const BenchConfig& config) {
  if (fs::is_regular_file(config.paths.addon)) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat("no Node addon at ", config.paths.addon,
                                          " (build the tether_node target, or pass --no-addon)"));
}

void Run(const std::string& scenario, Results& results, const std::function<absl::Status()>& body) {
  std::fprintf(stderr, "bench: %s\n", scenario.c_str());
  const absl::Status status = body();
  if (!status.ok()) {
    results.AddFailure(Flatten(scenario, status));
    std::fprintf(stderr, "bench: %s FAILED: %s\n", scenario.c_str(), status.ToString().c_str());
  }
}

int Main(int argc, char** argv) {
  absl::StatusOr<Flags> flags = Flags::Parse(argc, argv, {"smoke", "tether-only", "addon-only", "no-addon"});
  absl::Status known = flags.ok() ? flags->CheckKnown({"smoke", "tether-only", "addon-only", "no-addon", "repetitions",
                                                       "out", "work-dir", "duration-ms", "warmup-ms", "actors",
                                                       "sockets", "node", "tether-runner", "addon", "command"})
                                  : flags.status();
  if (!known.ok()) {
    std::fprintf(stderr, "bench-driver: %s\n", std::string(known.message()).c_str());
    return 2;
  }
  const std::string source_dir = TETHER_BENCH_SOURCE_DIR;
  absl::StatusOr<BenchConfig> config = ConfigFromFlags(*flags, source_dir);
  if (!config.ok()) {
    std::fprintf(stderr, "bench-driver: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  const bool smoke = flags->Has("smoke");
  config->work_dir = fs::absolute(flags->GetString("work-dir", smoke ? "bench-smoke" : "bench-work")).string();
  std::error_code error;
  fs::create_directories(config->work_dir, error);
  const bool tether_only = flags->Has("tether-only");
  const bool addon_only = flags->Has("addon-only");
  const bool with_addon = !config->paths.addon.empty() && !tether_only;
  const std::string out = flags->GetString(
      "out", smoke         ? config->work_dir + "/smoke-results.md"
             : tether_only ? config->work_dir + "/tether-results.md"
             : addon_only  ? config->work_dir + "/addon-results.md"
                           : source_dir + "/bench/RESULTS.md");

  RunInfo info;
  info.command = flags->GetString("command", "bench-driver");
  info.started_utc = UtcNow();
  info.machine = MachineInfo();
  info.versions = Versions(*config, source_dir);
  info.settings = SettingsInfo(*config);
  info.analysis_markdown = smoke ? std::string() : ReadFile(source_dir + "/bench/analysis.md");
  const auto start = std::chrono::steady_clock::now();

  // --tether-only: just tether's runner scenarios, for quick before/after comparisons while
  // working on the runner (no ratios in the report). --addon-only: the official runner and the
  // addon, the pair of section 8. The addon runs right after the official runner, so the two JS
  // runners of a repetition see the same machine load as nearly as possible.
  Results results;
  for (int repetition = 1; repetition <= config->repetitions; ++repetition) {
    const std::string of = absl::StrCat(" (repetition ", repetition, " of ", config->repetitions, ")");
    if (!addon_only) {
      Run("tether runner" + of, results,
          [&] { return RunRunnerScenarios(*config, RunnerKind::kTetherRunner, repetition, results); });
    }
    if (tether_only) continue;
    Run("official runner" + of, results,
        [&] { return RunRunnerScenarios(*config, RunnerKind::kOfficialRunner, repetition, results); });
    if (with_addon) {
      Run("Node addon runner" + of, results, [&] {
        if (absl::Status found = CheckAddon(*config); !found.ok()) return found;
        return RunRunnerScenarios(*config, RunnerKind::kAddonRunner, repetition, results);
      });
    }
    if (addon_only) continue;
    Run("Beast floor" + of, results, [&] { return RunFloorScenario(*config, results); });
    Run("codec" + of, results, [&] { return RunCodecScenario(*config, results); });
  }
  if (with_addon && CheckAddon(*config).ok()) {
    Run("Node addon .node size", results, [&] { return RunAddonSizeScenario(*config, results); });
  }
  info.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::ofstream file(out, std::ios::trunc);
  file << RenderMarkdown(results, info);
  file.close();
  if (!file) {
    std::fprintf(stderr, "bench-driver: cannot write %s\n", out.c_str());
    return 1;
  }
  std::fprintf(stderr, "bench: wrote %s (logs in %s)\n", out.c_str(), config->work_dir.c_str());
  return results.failures().empty() ? 0 : 1;
}

}  // namespace
}  // namespace tether::bench

int main(int argc, char** argv) { return tether::bench::Main(argc, argv); }
