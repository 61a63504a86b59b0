// Results: every measured figure of a run, with its samples per subject ("tether", "official",
// "addon", "floor"), in the order the scenarios first report them.
//
// Threading: one thread at a time.
#ifndef TETHER_BENCH_DRIVER_RESULTS_H_
#define TETHER_BENCH_DRIVER_RESULTS_H_

#include <map>
#include <string>
#include <vector>

namespace tether::bench {

inline constexpr char kTether[] = "tether";
inline constexpr char kOfficial[] = "official";
inline constexpr char kAddon[] = "addon";  // the official runner's JS app on the Node addon
inline constexpr char kFloor[] = "floor";

struct Figure {
  std::string section;
  std::string name;
  std::string unit;
  std::map<std::string, std::vector<double>> samples;  // by subject
};

struct Summary {
  double median = 0;
  double min = 0;
  double max = 0;
  std::size_t count = 0;
};

// Median (mean of the middle two for an even count), min and max; all 0 for no samples.
Summary Summarize(std::vector<double> samples);

class Results {
 public:
  void Add(const std::string& section, const std::string& name, const std::string& unit, const std::string& subject,
           double value);
  // The figure, or nullptr if no scenario reported it.
  const Figure* Find(const std::string& section, const std::string& name) const;
  // The summary of `subject`'s samples of the figure; count 0 when there are none.
  Summary Of(const std::string& section, const std::string& name, const std::string& subject) const;

  const std::vector<Figure>& figures() const { return figures_; }
  void AddFailure(std::string what) { failures_.push_back(std::move(what)); }
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  std::vector<Figure> figures_;
  std::vector<std::string> failures_;
};

}  // namespace tether::bench

#endif  // TETHER_BENCH_DRIVER_RESULTS_H_
