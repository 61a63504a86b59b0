// BenchProcess: a program the driver measures (a runner, the load generator, the floor server),
// run as a child with pipes on its stdin and stdout so the driver can wait for its "ready" lines
// and tell it when to start, and with stderr in a log file.
//
// Every child gets its own process group and PR_SET_PDEATHSIG, so nothing outlives the driver
// even if the driver is killed; the destructor kills the group. (tests/harness' ChildProcess has
// no pipes, which is why this exists.)
//
// Threading: one thread at a time per object. Spawn from the main thread: PR_SET_PDEATHSIG fires
// when the spawning *thread* exits.
#ifndef TETHER_BENCH_DRIVER_PROCESS_H_
#define TETHER_BENCH_DRIVER_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tether::bench {

// CLOCK_MONOTONIC in ns: the clock the runners print their Init time in.
std::int64_t MonotonicNs();

// Runs `argv` to its end (at most `timeout`) and returns what it printed on stdout; stderr goes to
// `log_path`. Internal if it exits with a code other than 0.
absl::StatusOr<std::string> RunAndCapture(const std::vector<std::string>& argv, const std::string& log_path,
                                          std::chrono::milliseconds timeout);

class BenchProcess {
 public:
  struct Options {
    std::vector<std::string> argv;  // argv[0] is looked up in PATH if it has no '/'
    // Added to this process's environment; RUST_BACKTRACE and RUST_LIB_BACKTRACE are dropped.
    std::map<std::string, std::string> env;
    std::string log_path;  // the child's stderr (appended)
  };

  static absl::StatusOr<std::unique_ptr<BenchProcess>> Spawn(const Options& options);
  BenchProcess(const BenchProcess&) = delete;
  BenchProcess& operator=(const BenchProcess&) = delete;
  ~BenchProcess();

  pid_t pid() const { return pid_; }
  // MonotonicNs() just before the fork.
  std::int64_t spawn_ns() const { return spawn_ns_; }
  const std::string& name() const { return name_; }

  // The next line of the child's stdout, without the newline. DeadlineExceeded after `timeout`,
  // Unavailable (with the tail of the child's log) when the child closed its stdout (exited).
  absl::StatusOr<std::string> ReadLine(std::chrono::milliseconds timeout);
  absl::Status WriteLine(std::string_view line);
  // The exit code (or 128 + signal) once the child ended within `timeout`; nullopt otherwise.
  std::optional<int> WaitFor(std::chrono::milliseconds timeout);
  // SIGTERM to the group, up to `grace` to exit, then SIGKILL. Idempotent.
  void Stop(std::chrono::milliseconds grace);

 private:
  BenchProcess(pid_t pid, std::int64_t spawn_ns, int stdin_fd, int stdout_fd, std::string name, std::string log_path);
  std::string LogTail() const;

  pid_t pid_;
  std::int64_t spawn_ns_;
  int stdin_fd_;
  int stdout_fd_;
  std::string name_;
  std::string log_path_;
  std::string pending_;  // stdout read past the last returned line
  std::optional<int> exit_code_;
};

}  // namespace tether::bench

#endif  // TETHER_BENCH_DRIVER_PROCESS_H_
