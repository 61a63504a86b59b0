// Renders a run's Results as bench/RESULTS.md: machine, versions, settings, one table per
// scenario (median and min-max of the repetitions, ratio tether/official), and the targets of
// issue 5 with whether they are met; then, when the Node addon ran, its comparison with the
// official runner (section 8) and its own targets.
//
// Threading: pure functions.
#ifndef TETHER_BENCH_DRIVER_REPORT_H_
#define TETHER_BENCH_DRIVER_REPORT_H_

#include <string>
#include <utility>
#include <vector>

#include "driver/results.h"

namespace tether::bench {

struct RunInfo {
  std::string command;
  std::string started_utc;
  double wall_seconds = 0;
  std::vector<std::pair<std::string, std::string>> machine;
  std::vector<std::pair<std::string, std::string>> versions;
  std::vector<std::pair<std::string, std::string>> settings;
  // Hand-written findings (bench/analysis.md), appended as they are.
  std::string analysis_markdown;
};

std::string RenderMarkdown(const Results& results, const RunInfo& info);

}  // namespace tether::bench

#endif  // TETHER_BENCH_DRIVER_REPORT_H_
