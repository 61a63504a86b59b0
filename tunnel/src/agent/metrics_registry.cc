#include "agent/metrics_registry.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tether::agent {

Counter& MetricsRegistry::AddCounter(std::string_view name, std::string_view help, std::string_view labels) {
  std::lock_guard lock(mutex_);
  Counter& counter = counters_.emplace_back();
  series_.push_back({.name = std::string(name), .help = std::string(help), .counter = true,
                     .labels = std::string(labels), .counter_value = &counter});
  return counter;
}

Gauge& MetricsRegistry::AddGauge(std::string_view name, std::string_view help, std::string_view labels) {
  std::lock_guard lock(mutex_);
  Gauge& gauge = gauges_.emplace_back();
  series_.push_back(
      {.name = std::string(name), .help = std::string(help), .labels = std::string(labels), .gauge_value = &gauge});
  return gauge;
}

std::string MetricsRegistry::Render() const {
  std::lock_guard lock(mutex_);
  std::string text;
  std::set<std::string, std::less<>> rendered;
  for (const Series& first : series_) {
    if (!rendered.insert(first.name).second) continue;
    absl::StrAppend(&text, "# HELP ", first.name, " ", first.help, "\n# TYPE ", first.name, " ",
                    first.counter ? "counter" : "gauge", "\n");
    for (const Series& series : series_) {
      if (series.name != first.name) continue;
      absl::StrAppend(&text, series.name, series.labels.empty() ? "" : absl::StrCat("{", series.labels, "}"), " ");
      if (series.counter) {
        absl::StrAppend(&text, series.counter_value->value(), "\n");
      } else {
        absl::StrAppend(&text, series.gauge_value->value(), "\n");
      }
    }
  }
  return text;
}

}  // namespace tether::agent
