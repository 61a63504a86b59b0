// Order statistics for latency samples and repeated measurements.
//
// Threading: pure functions.
#ifndef TETHER_BENCH_COMMON_STATS_H_
#define TETHER_BENCH_COMMON_STATS_H_

#include <vector>

namespace tether::bench {

// The `q`-quantile (0..1) of `samples` by nearest rank; 0 for no samples. Sorts `samples`.
double Quantile(std::vector<double>& samples, double q);

}  // namespace tether::bench

#endif  // TETHER_BENCH_COMMON_STATS_H_
