// Scenario 6: tether's generated codec (Google Benchmark) against the official TypeScript codec
// on the same messages, after checking both encode them to the same bytes.
#include <map>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "driver/process.h"
#include "driver/scenarios.h"

namespace tether::bench {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kCodecTimeout{300000};

// message name -> hex, from `bench-codec --hex`.
absl::StatusOr<std::map<std::string, std::string>> TetherEncodings(const BenchConfig& config) {
  absl::StatusOr<std::string> text = RunAndCapture({config.paths.codec_bench, "--hex"}, absl::StrCat(config.work_dir, "/codec-tether.log"), kCodecTimeout);
  if (!text.ok()) return text.status();
  std::map<std::string, std::string> hex;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    const std::vector<std::string> words = absl::StrSplit(line, ' ');
    if (words.size() == 2) hex[words[0]] = words[1];
  }
  return hex;
}

// "<message>/<encode|decode>" -> ns, from Google Benchmark's JSON.
absl::StatusOr<std::map<std::string, double>> TetherTimes(const BenchConfig& config) {
  absl::StatusOr<std::string> text =
      RunAndCapture({config.paths.codec_bench, "--benchmark_format=json",
                     absl::StrCat("--benchmark_min_time=", static_cast<double>(config.codec_min_ms) / 1000.0)},
                    absl::StrCat(config.work_dir, "/codec-tether.log"), kCodecTimeout);
  if (!text.ok()) return text.status();
  const nlohmann::json report = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!report.is_object() || !report.contains("benchmarks")) {
    return absl::InternalError("bench-codec printed no benchmark report");
  }
  std::map<std::string, double> times;
  for (const nlohmann::json& entry : report["benchmarks"]) {
    if (entry.value("time_unit", "") != "ns") return absl::InternalError("bench-codec reported a unit other than ns");
    times[entry.value("name", "")] = entry.value("real_time", 0.0);
  }
  return times;
}

}  // namespace

absl::Status RunCodecScenario(const BenchConfig& config, Results& results) {
  absl::StatusOr<std::map<std::string, std::string>> tether_hex = TetherEncodings(config);
  if (!tether_hex.ok()) return tether_hex.status();
  absl::StatusOr<std::map<std::string, double>> tether_ns = TetherTimes(config);
  if (!tether_ns.ok()) return tether_ns.status();
  absl::StatusOr<std::string> official_text =
      RunAndCapture({config.paths.node, config.paths.official_codec_script, "--min-ms", std::to_string(config.codec_min_ms)},
                    absl::StrCat(config.work_dir, "/codec-official.log"), kCodecTimeout);
  if (!official_text.ok()) return official_text.status();
  const nlohmann::json official = nlohmann::json::parse(*official_text, nullptr, /*allow_exceptions=*/false);
  if (!official.is_object()) return absl::InternalError("the official codec script printed no JSON object");

  for (const auto& [message, hex] : *tether_hex) {
    if (!official.contains(message)) return absl::InternalError(absl::StrCat("official codec: no ", message));
    const nlohmann::json& theirs = official[message];
    if (theirs.value("hex", "") != hex) {
      return absl::InternalError(absl::StrCat("the codecs encode ", message, " differently: tether ", hex,
                                              ", official ", theirs.value("hex", "")));
    }
    const double encode = (*tether_ns)[message + "/encode"];
    const double decode = (*tether_ns)[message + "/decode"];
    const std::string label = absl::StrCat(message, " (", hex.size() / 2, " B)");
    results.Add(kCodecSection, label + ": encode + decode", "ns", kTether, encode + decode);
    results.Add(kCodecSection, label + ": encode + decode", "ns", kOfficial,
                theirs.value("encode_ns", 0.0) + theirs.value("decode_ns", 0.0));
    results.Add(kCodecSection, label + ": encode", "ns", kTether, encode);
    results.Add(kCodecSection, label + ": encode", "ns", kOfficial, theirs.value("encode_ns", 0.0));
    results.Add(kCodecSection, label + ": decode", "ns", kTether, decode);
    results.Add(kCodecSection, label + ": decode", "ns", kOfficial, theirs.value("decode_ns", 0.0));
  }
  return absl::OkStatus();
}

}  // namespace tether::bench
