// Runs the load generator (bench/load) as a child and reads other processes' CPU time exactly
// around its measured phase.
//
// Threading: call from the main thread.
#ifndef TETHER_BENCH_DRIVER_LOAD_RUN_H_
#define TETHER_BENCH_DRIVER_LOAD_RUN_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "driver/scenarios.h"

namespace tether::bench {

struct LoadOutcome {
  std::int64_t ops = 0;  // echoed messages or answered requests
  double ops_per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  double load_cpu_seconds = 0;              // the load generator's own
  std::vector<double> watched_cpu_seconds;  // per watched process, in the order given
};

// WebSocket echo with `sockets` sockets against 127.0.0.1:`port``target`.
std::vector<std::string> WsLoadArgs(const BenchConfig& config, int port, const std::string& target, int sockets);
// HTTP POST echo with `connections` concurrent keep-alive connections.
std::vector<std::string> HttpLoadArgs(const BenchConfig& config, int port, const std::string& target, int connections);

// Runs the load generator with `args`; `watched` are the processes whose CPU is read. Fails if
// the load generator reports errors or completes no operation.
absl::StatusOr<LoadOutcome> RunLoad(const BenchConfig& config, const std::vector<std::string>& args,
                                    const std::vector<pid_t>& watched);

// Opens `count` WebSockets (each checked with one echo), runs `while_held`, then closes them.
absl::Status HoldSockets(const BenchConfig& config, int port, const std::string& target, int count,
                         const std::function<absl::Status()>& while_held);

}  // namespace tether::bench

#endif  // TETHER_BENCH_DRIVER_LOAD_RUN_H_
