#include "driver/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <span>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "driver/scenarios.h"

namespace tether::bench {
namespace {

// Three significant digits at most, no exponent for the magnitudes measured here.
std::string Number(double value) {
  char text[32];
  const double magnitude = std::fabs(value);
  const char* format = magnitude >= 100 ? "%.0f" : magnitude >= 10 ? "%.1f" : magnitude >= 1 ? "%.2f" : "%.3f";
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

std::string Cell(const Summary& summary) {
  if (summary.count == 0) return "—";
  if (summary.count == 1) return Number(summary.median);
  return absl::StrCat(Number(summary.median), " (", Number(summary.min), "–", Number(summary.max), ")");
}

std::string Ratio(const Summary& numerator, const Summary& denominator) {
  if (numerator.count == 0 || denominator.count == 0 || denominator.median == 0) return "—";
  return Number(numerator.median / denominator.median);
}

Summary SummaryOf(const Figure& figure, const std::string& subject) {
  const auto found = figure.samples.find(subject);
  return found == figure.samples.end() ? Summary{} : Summarize(found->second);
}

void RenderSection(const Results& results, const std::string& section, std::string& out) {
  std::vector<const Figure*> figures;
  std::set<std::string> subjects;
  for (const Figure& figure : results.figures()) {
    if (figure.section != section) continue;
    figures.push_back(&figure);
    for (const auto& [subject, samples] : figure.samples) subjects.insert(subject);
  }
  if (figures.empty()) return;
  std::vector<std::string> columns;
  for (const char* subject : {kTether, kOfficial, kFloor}) {
    if (subjects.count(subject) != 0) columns.push_back(subject);
  }
  const bool vs_official = subjects.count(kTether) != 0 && subjects.count(kOfficial) != 0;
  const bool vs_floor = subjects.count(kTether) != 0 && subjects.count(kFloor) != 0;
  absl::StrAppend(&out, "## ", section, "\n\n| figure | unit |");
  for (const std::string& column : columns) absl::StrAppend(&out, " ", column, " |");
  if (vs_official) absl::StrAppend(&out, " tether / official |");
  if (vs_floor) absl::StrAppend(&out, " tether / floor |");
  absl::StrAppend(&out, "\n|---|---|");
  for (std::size_t i = 0; i < columns.size() + (vs_official ? 1 : 0) + (vs_floor ? 1 : 0); ++i) {
    absl::StrAppend(&out, "---:|");
  }
  absl::StrAppend(&out, "\n");
  for (const Figure* figure : figures) {
    absl::StrAppend(&out, "| ", figure->name, " | ", figure->unit, " |");
    for (const std::string& column : columns) absl::StrAppend(&out, " ", Cell(SummaryOf(*figure, column)), " |");
    if (vs_official) {
      absl::StrAppend(&out, " ", Ratio(SummaryOf(*figure, kTether), SummaryOf(*figure, kOfficial)), " |");
    }
    if (vs_floor) absl::StrAppend(&out, " ", Ratio(SummaryOf(*figure, kTether), SummaryOf(*figure, kFloor)), " |");
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(&out, "\n");
}

// A target of issue 5: for every figure of `section` whose name starts with `prefix`, the ratio of
// the medians numerator/denominator must be at most `max_ratio` (or, for speed-ups, the inverse
// at least 1/`max_ratio`).
struct Target {
  const char* goal;
  const char* section;
  const char* prefix;
  const char* numerator;
  const char* denominator;
  double max_ratio;
  bool show_as_speedup;
};

constexpr Target kTargets[] = {
    {"runner CPU per WS message ≤ 1/10 official", kCpuSection, "runner per WS message", kTether, kOfficial, 0.1, false},
    {"runner CPU per HTTP request ≤ 1/10 official", kCpuSection, "runner per HTTP request", kTether, kOfficial, 0.1,
     false},
    {"runner CPU per WS message ≤ 2× the Beast floor", kFloorSection, "echo server CPU per message", kTether, kFloor,
     2.0, false},
    {"cold start to Init ≤ 1/20 official", kColdSection, "process exec", kTether, kOfficial, 0.05, false},
    {"RSS per actor ≤ 1/10 official", kMemorySection, "per started actor", kTether, kOfficial, 0.1, false},
    {"RSS per socket ≤ 1/10 official", kMemorySection, "per open WebSocket", kTether, kOfficial, 0.1, false},
    {"codec ≥ 20× faster than official", kCodecSection, "", kTether, kOfficial, 0.05, true},
};

// The Node addon's targets: the official runner's JavaScript app on the addon against the same
// app on the official runner.
constexpr Target kAddonTargets[] = {
    {"addon runner CPU per WS message ≤ 1/3 official", kCpuSection, "runner per WS message", kAddon, kOfficial,
     1.0 / 3, false},
    {"addon RSS per socket ≤ 1/5 official", kMemorySection, "per open WebSocket", kAddon, kOfficial, 0.2, false},
    {"addon cold start to Init ≤ 1/2 official", kColdSection, "process exec", kAddon, kOfficial, 0.5, false},
};

// One "| target | figure | measured | met |" table; a target without samples of both sides has no
// row (e.g. the addon's when it was not run).
void RenderTargetTable(const Results& results, std::span<const Target> targets, std::string& out) {
  absl::StrAppend(&out, "| target | figure | measured | met |\n|---|---|---:|:---:|\n");
  for (const Target& target : targets) {
    for (const Figure& figure : results.figures()) {
      if (figure.section != target.section || !absl::StartsWith(figure.name, target.prefix)) continue;
      if (target.show_as_speedup && !absl::EndsWith(figure.name, "encode + decode")) continue;
      const Summary numerator = SummaryOf(figure, target.numerator);
      const Summary denominator = SummaryOf(figure, target.denominator);
      if (numerator.count == 0 || denominator.count == 0 || denominator.median == 0) continue;
      const double ratio = numerator.median / denominator.median;
      const std::string measured = target.show_as_speedup && ratio > 0
                                       ? absl::StrCat(Number(1 / ratio), "× faster")
                                       : absl::StrCat(Number(ratio), "× ", target.denominator);
      absl::StrAppend(&out, "| ", target.goal, " | ", figure.name, " | ", measured, " | ",
                      ratio <= target.max_ratio ? "yes" : "**no**", " |\n");
    }
  }
  absl::StrAppend(&out, "\n");
}

void RenderTargets(const Results& results, std::string& out) {
  absl::StrAppend(&out, "## Targets\n\n");
  RenderTargetTable(results, kTargets, out);
}

bool HasSubject(const Figure& figure, const std::string& subject) { return figure.samples.count(subject) != 0; }

// Section 8: the addon's targets, then every runner figure of sections 1-5 it has, beside the
// official runner's (the ratio the targets are about) and tether's C++ runner's (what the addon
// wraps, so the difference is the cost of Node and the JavaScript façade), then the .node's size.
// Sections 1-5 keep their own columns: the addon is a second comparison, not a third runner there.
void RenderAddonSection(const Results& results, std::string& out) {
  const auto& figures = results.figures();
  if (std::none_of(figures.begin(), figures.end(), [](const Figure& f) { return HasSubject(f, kAddon); })) return;
  absl::StrAppend(&out, "## ", kAddonSection, "\n\n",
                  "The same JavaScript app (`bench/runners/js_echo_runner.mjs`) with the `Runner` of the Node ",
                  "addon (`@tether/engine-runner`, `bindings/node`) and of the official `@rivetkit/engine-runner`, ",
                  "each on its own fresh engine in the same run; tether's C++ runner for reference. Ratios divide ",
                  "the medians; below 1 means the addon uses less.\n\n### Targets\n\n");
  RenderTargetTable(results, kAddonTargets, out);
  absl::StrAppend(&out, "### Figures\n\n| figure | unit | addon | official | tether | addon / official | ",
                  "addon / tether |\n|---|---|---:|---:|---:|---:|---:|\n");
  for (const char* section : {kWsSection, kHttpSection, kCpuSection, kColdSection, kMemorySection}) {
    for (const Figure& figure : figures) {
      if (figure.section != section || !HasSubject(figure, kAddon)) continue;
      const Summary addon = SummaryOf(figure, kAddon);
      const Summary official = SummaryOf(figure, kOfficial);
      const Summary tether = SummaryOf(figure, kTether);
      absl::StrAppend(&out, "| ", figure.name, " | ", figure.unit, " | ", Cell(addon), " | ", Cell(official), " | ",
                      Cell(tether), " | ", Ratio(addon, official), " | ", Ratio(addon, tether), " |\n");
    }
  }
  absl::StrAppend(&out, "\n");
  bool size_header = false;
  for (const Figure& figure : figures) {
    if (figure.section != kAddonSection) continue;
    if (!size_header) absl::StrAppend(&out, "### The .node file\n\n| figure | unit | addon |\n|---|---|---:|\n");
    size_header = true;
    absl::StrAppend(&out, "| ", figure.name, " | ", figure.unit, " | ", Cell(SummaryOf(figure, kAddon)), " |\n");
  }
  if (size_header) absl::StrAppend(&out, "\n");
}

void RenderPairs(const char* title, const std::vector<std::pair<std::string, std::string>>& pairs, std::string& out) {
  absl::StrAppend(&out, "**", title, "**\n\n");
  for (const auto& [name, value] : pairs) absl::StrAppend(&out, "- ", name, ": ", value, "\n");
  absl::StrAppend(&out, "\n");
}

}  // namespace

std::string RenderMarkdown(const Results& results, const RunInfo& info) {
  std::string out = absl::StrCat(
      "# Benchmark results: tether against the official TypeScript runner\n\n",
      "Generated by `", info.command, "` on ", info.started_utc, " in ", Number(info.wall_seconds),
      " s; do not edit by hand (the findings at the end come from `bench/analysis.md`).\n",
      "Each cell is the median over the repetitions, with the minimum and maximum in parentheses. ",
      "Ratios divide the medians; below 1 means tether uses less (time, CPU, memory) — except for ",
      "messages/s and requests/s, where above 1 means tether is faster.\n\n");
  RenderPairs("Machine", info.machine, out);
  RenderPairs("Versions", info.versions, out);
  RenderPairs("Settings", info.settings, out);
  if (!results.failures().empty()) {
    absl::StrAppend(&out, "## Failures\n\n");
    for (const std::string& failure : results.failures()) absl::StrAppend(&out, "- ", failure, "\n");
    absl::StrAppend(&out, "\n");
  }
  RenderTargets(results, out);
  for (const char* section : {kWsSection, kHttpSection, kCpuSection, kColdSection, kMemorySection, kCodecSection,
                              kFloorSection}) {
    RenderSection(results, section, out);
  }
  RenderAddonSection(results, out);
  if (!info.analysis_markdown.empty()) absl::StrAppend(&out, info.analysis_markdown, "\n");
  return out;
}

}  // namespace tether::bench
