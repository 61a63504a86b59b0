// LocalEngine runs the pinned `rivet-engine` binary as a child process on loopback ports, so the
// demo program and every integration test talk to a real engine instead of a mock.
//
// Threading: a LocalEngine is not internally synchronized. Calls that change it (Stop, Kill,
// Restart, destruction) must not overlap with any other call on the same object; const accessors
// may run concurrently with each other. The engine is started with PR_SET_PDEATHSIG, so it is
// killed when the *thread* that last (re)started it exits: start and restart it from a thread
// that outlives it, such as the main thread or a GoogleTest global environment.

#ifndef TETHER_TESTS_HARNESS_LOCAL_ENGINE_H_
#define TETHER_TESTS_HARNESS_LOCAL_ENGINE_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tether::testing {

// The engine release the project is tested against; Start() rejects any other version.
inline constexpr std::string_view kPinnedEngineVersion = "2.3.19";

struct LocalEngineOptions {
  // Path of the rivet-engine executable. Empty: $TETHER_ENGINE_BINARY if set, else the binary
  // that scripts/setup.sh installs under node_modules/.
  std::string binary;
  // Directory for the engine's config, database and log; created if missing and kept. Empty: a
  // fresh directory from mkdtemp under $TMPDIR (or /tmp), removed by the destructor.
  std::string data_dir;
  // Non-empty: the engine requires this admin token (config `"auth": {"admin_token": ...}`), and
  // REST calls must send `Authorization: Bearer <token>`.
  std::string admin_token;
  // A JSON object merged into the generated engine config with RFC 7396 merge-patch semantics
  // (objects merge recursively, other values replace, null deletes). Tests use it to shorten
  // engine timeouts, e.g. `{"pegboard": {"runner_lost_threshold": 2000}}`. It must not change the
  // hosts, ports or database path the harness chose.
  std::string extra_config_json;
  // How long Start() and Restart() wait for GET /health to succeed.
  std::chrono::milliseconds ready_timeout{30000};
  // true: the engine writes to this process's stdout and stderr. false: it appends to
  // <data_dir>/engine.log.
  bool forward_logs = false;
};

class LocalEngine {
 public:
  // Starts an engine and waits until GET /health reports status "ok" and kPinnedEngineVersion.
  // The engine runs in its own process group with HOME=<data_dir>, telemetry off, and without
  // RUST_BACKTRACE and RUST_LIB_BACKTRACE, which make it 5-25x slower. Ports are picked afresh,
  // and the engine is respawned on new ports if another process took one of them first.
  //
  // Errors name the cause: NotFound if the binary is missing and FailedPrecondition if it is not
  // executable (both with a hint to run scripts/setup.sh), InvalidArgument for a malformed
  // `extra_config_json`, Internal with the tail of the engine log if the engine exits during
  // startup (e.g. it rejects the config), DeadlineExceeded with the log path if it is not healthy
  // within `ready_timeout` (a temporary data directory is then kept so the log can be read), and
  // FailedPrecondition if it reports another version.
  static absl::StatusOr<std::unique_ptr<LocalEngine>> Start(LocalEngineOptions options);

  LocalEngine(const LocalEngine&) = delete;
  LocalEngine& operator=(const LocalEngine&) = delete;

  // Stops the engine and removes the data directory if Start() created it.
  ~LocalEngine();

  // Sends SIGTERM, waits up to 10 s for a graceful exit, then sends SIGKILL. Afterwards no engine
  // process is left. Returns OK if the engine was not running or exited cleanly on SIGTERM, and
  // Internal if it had to be killed or had already exited on its own (e.g. crashed). Idempotent.
  absl::Status Stop();

  // Sends SIGKILL at once and reaps the process, simulating a crash. OK if it was not running.
  absl::Status Kill();

  // Stops the engine (an unclean exit is not reported) and starts it again with the same data
  // directory, config and ports, so the endpoint stays the same and persisted state (namespaces,
  // actors) survives. Waits for health like Start(); errors are the same except that the ports
  // are never changed.
  absl::Status Restart();

  // "http://127.0.0.1:<guard port>": the REST API, the actor gateway and /runners/connect.
  std::string endpoint() const;
  int guard_port() const { return guard_port_; }
  int api_peer_port() const { return api_peer_port_; }
  int metrics_port() const { return metrics_port_; }

  // The engine's process id (also its process group id), or -1 when it is not running.
  pid_t pid() const { return pid_; }
  // Whether the engine process exists and has not exited. Does not reap it.
  bool running() const;

  const std::string& data_dir() const { return options_.data_dir; }
  // <data_dir>/engine.log, which collects the output of every run; empty with `forward_logs`.
  std::string log_path() const;
  const std::string& admin_token() const { return options_.admin_token; }

  // Returns the body of GET /health, e.g. {"runtime":"engine","status":"ok","version":"2.3.19"}.
  // Errors are those of HttpRequest (Unavailable while nothing listens), or Unavailable for a
  // status other than 200.
  absl::StatusOr<std::string> Health() const;

  // Returns the whole engine log (all runs). FailedPrecondition with `forward_logs`.
  absl::StatusOr<std::string> ReadLog() const;

 private:
  LocalEngine(LocalEngineOptions options, bool owns_data_dir);

  absl::Status StartOnFreshPorts();
  absl::Status WriteConfig() const;
  absl::Status Spawn();
  // Polls /health until the engine is ready. With `port_conflict` set, returns early and sets it
  // when another process holds one of our ports; without it, waits (the engine retries binding).
  absl::Status WaitReady(bool* port_conflict);
  absl::Status VerifyHealthBody(const std::string& body);
  absl::StatusOr<std::string> HealthWithin(std::chrono::milliseconds timeout) const;
  // Reaps the engine if it has exited and returns its wait status; nullopt while it runs.
  std::optional<int> ReapIfExited();
  // Sends `signal` to the engine's process group, waits up to `grace` for it to exit, then
  // SIGKILLs it. Returns the wait status and whether a SIGKILL beyond `signal` was needed.
  std::pair<int, bool> Terminate(int signal, std::chrono::milliseconds grace);
  absl::Status EarlyExitError(int wait_status) const;
  std::string LogOfCurrentRun() const;
  std::string LogTailOfCurrentRun() const;
  std::string config_path() const;

  LocalEngineOptions options_;  // binary and data_dir resolved to absolute paths
  bool owns_data_dir_;
  bool keep_data_dir_ = false;  // set when a failed start leaves a log worth reading
  int guard_port_ = 0;
  int api_peer_port_ = 0;
  int metrics_port_ = 0;
  pid_t pid_ = -1;
  std::uintmax_t log_offset_ = 0;  // size of engine.log when the current run started
};

// A port on 127.0.0.1 that was free a moment ago (0 if none could be had): for a server whose
// address another process must know before it starts, or for an address nothing listens on.
int UnusedLoopbackPort();

}  // namespace tether::testing

#endif  // TETHER_TESTS_HARNESS_LOCAL_ENGINE_H_
