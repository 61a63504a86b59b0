#include "driver/results.h"

#include <algorithm>

namespace tether::bench {

Summary Summarize(std::vector<double> samples) {
  Summary summary;
  summary.count = samples.size();
  if (samples.empty()) return summary;
  std::sort(samples.begin(), samples.end());
  const std::size_t mid = samples.size() / 2;
  summary.median = samples.size() % 2 == 1 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
  summary.min = samples.front();
  summary.max = samples.back();
  return summary;
}

void Results::Add(const std::string& section, const std::string& name, const std::string& unit,
                  const std::string& subject, double value) {
  auto found = std::find_if(figures_.begin(), figures_.end(),
                            [&](const Figure& figure) { return figure.section == section && figure.name == name; });
  if (found == figures_.end()) {
    figures_.push_back({section, name, unit, {}});
    found = std::prev(figures_.end());
  }
  found->samples[subject].push_back(value);
}

const Figure* Results::Find(const std::string& section, const std::string& name) const {
  for (const Figure& figure : figures_) {
    if (figure.section == section && figure.name == name) return &figure;
  }
  return nullptr;
}

Summary Results::Of(const std::string& section, const std::string& name, const std::string& subject) const {
  const Figure* figure = Find(section, name);
  if (figure == nullptr) return {};
  const auto found = figure->samples.find(subject);
  return found == figure->samples.end() ? Summary{} : Summarize(found->second);
}

}  // namespace tether::bench
