// ChildProcess: runs a program of ours (e.g. an example runner) as a separate process, the way
// it is deployed, so tests can signal it, kill it and read what it logged.
//
// Threading: one thread at a time per object.
#ifndef TETHER_TESTS_HARNESS_CHILD_PROCESS_H_
#define TETHER_TESTS_HARNESS_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tether::testing {

class ChildProcess {
 public:
  // Starts `argv` with this process's environment plus `env` (an empty value unsets the
  // variable; RUST_BACKTRACE is always unset); stdout and stderr go to `log_path`.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(const std::vector<std::string>& argv,
                                                             const std::map<std::string, std::string>& env,
                                                             const std::string& log_path);
  // Kills the process if it still runs.
  ~ChildProcess();

  // The exit code (or 128 + signal) once the process ended within `timeout`; nullopt otherwise.
  std::optional<int> WaitFor(std::chrono::milliseconds timeout);
  void Signal(int signal);
  pid_t pid() const { return pid_; }

  std::string Log() const;
  // The last non-empty line of the log.
  std::string LastLogLine() const;

 private:
  ChildProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}

  pid_t pid_;
  std::string log_path_;
  std::optional<int> exit_code_;
};

}  // namespace tether::testing

#endif  // TETHER_TESTS_HARNESS_CHILD_PROCESS_H_
