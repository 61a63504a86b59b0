// Helpers for the end-to-end tests of `tether agent` (agent_test.cc, sidecar_test.cc): an
// upstream app process, a `tether agent` process pointed at the shared engine, and log waits.
#ifndef TETHER_TESTS_INTEGRATION_AGENT_TEST_SUPPORT_H_
#define TETHER_TESTS_INTEGRATION_AGENT_TEST_SUPPORT_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/child_process.h"

namespace tether::testing {

// The first capture of `pattern` in the process's log once it appears, or empty.
std::string WaitForLog(const ChildProcess& process, const std::string& pattern, std::chrono::milliseconds timeout);

// A namespace of the shared engine for the running test, named after it, so that its agents see
// only its actors.
absl::StatusOr<std::string> CreateNamespaceForThisTest();

// An upstream app: a process that prints "listening on http://127.0.0.1:PORT" once it serves.
struct App {
  std::unique_ptr<ChildProcess> process;
  int port = 0;

  // Runs `argv` with `env` plus PORT=`port` (0: a free one, read from its log), logging to
  // `log_name` in the test's temporary directory.
  static App Start(const std::string& log_name, const std::vector<std::string>& argv,
                   std::map<std::string, std::string> env = {}, int port = 0);
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

// A `tether agent` process and its admin port.
struct Agent {
  std::unique_ptr<ChildProcess> process;
  int admin_port = 0;

  // "<status> <body>" of GET `path` on the admin server, or "<unreachable>".
  std::string Admin(const std::string& path) const;
};

// Starts `tether_cli agent` for the pool "pool" of `namespace_name` on the shared engine, its
// admin server on a free port unless `extra_args` sets one, and waits until it is connected.
Agent StartAgentProcess(const std::string& tether_cli, const std::string& label, const std::string& namespace_name,
                        const std::string& upstream, const std::vector<std::string>& extra_args = {});

}  // namespace tether::testing

#endif  // TETHER_TESTS_INTEGRATION_AGENT_TEST_SUPPORT_H_
