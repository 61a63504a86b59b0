// What the driver reads about a process from /proc: CPU time used so far and resident memory.
//
// Threading: pure functions over /proc.
#ifndef TETHER_BENCH_DRIVER_PROC_STATS_H_
#define TETHER_BENCH_DRIVER_PROC_STATS_H_

#include <sys/types.h>

#include "absl/status/statusor.h"

namespace tether::bench {

// utime + stime of all the process's threads, in seconds (clock-tick resolution, 10 ms here).
absl::StatusOr<double> ProcessCpuSeconds(pid_t pid);
// VmRSS in KiB.
absl::StatusOr<double> ResidentKiB(pid_t pid);

}  // namespace tether::bench

#endif  // TETHER_BENCH_DRIVER_PROC_STATS_H_
