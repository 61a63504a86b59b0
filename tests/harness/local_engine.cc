#include "harness/local_engine.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "harness/http_client.h"

extern char** environ;

namespace tether::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kStopGrace{10000};
constexpr milliseconds kReadyPollInterval{100};
constexpr milliseconds kExitPollInterval{20};
constexpr milliseconds kHealthRequestTimeout{5000};
constexpr int kStartAttempts = 3;
constexpr std::size_t kLogTailBytes = 4096;
constexpr const char* kLoopback = "127.0.0.1";
// The engine logs this when a service cannot bind its port, then retries every second.
constexpr absl::string_view kAddressInUse = "Address in use";
// Set in this machine's environment, they make the engine capture a backtrace for every internal
// error and run 5-25x slower.
constexpr std::array<std::string_view, 2> kDroppedVariables = {"RUST_BACKTRACE",
                                                               "RUST_LIB_BACKTRACE"};

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string ErrnoText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

std::string ResolveBinary(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* from_env = std::getenv("TETHER_ENGINE_BINARY");
      from_env != nullptr && *from_env != '\0') {
    return from_env;
  }
  return TETHER_DEFAULT_ENGINE_BINARY;
}

absl::Status CheckExecutable(const std::string& path) {
  std::error_code error;
  if (!fs::exists(path, error)) {
    return absl::NotFoundError(absl::StrCat(
        "rivet-engine binary not found at '", path,
        "': run scripts/setup.sh to install it, or set TETHER_ENGINE_BINARY to its path"));
  }
  if (!fs::is_regular_file(path, error) || ::access(path.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "'", path, "' is not an executable file: run scripts/setup.sh to reinstall rivet-engine"));
  }
  return absl::OkStatus();
}

absl::StatusOr<nlohmann::json> ParseExtraConfig(const std::string& text) {
  if (text.empty()) return nlohmann::json::object();
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("extra_config_json must be a JSON object, got: ", text));
  }
  return parsed;
}

absl::StatusOr<std::string> MakeTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/tether-engine-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp(", pattern, ") failed: ", ErrnoText(errno)));
  }
  return pattern;
}

absl::StatusOr<std::string> PrepareDataDir(const std::string& requested) {
  if (requested.empty()) return MakeTempDir();
  std::error_code error;
  fs::create_directories(requested, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create data directory '", requested, "': ", error.message()));
  }
  const fs::path absolute = fs::absolute(requested, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot resolve data directory '", requested, "': ", error.message()));
  }
  return absolute.lexically_normal().string();
}

// Binds three sockets at once so the kernel hands out three distinct ports, then frees them for
// the engine. Another process may take one in between; StartOnFreshPorts() handles that.
absl::StatusOr<std::array<int, 3>> PickFreePorts() {
  std::array<int, 3> fds = {-1, -1, -1};
  std::array<int, 3> ports = {};
  absl::Status status;
  for (std::size_t i = 0; i < fds.size() && status.ok(); ++i) {
    fds[i] = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    if (fds[i] < 0 || ::bind(fds[i], generic, length) != 0 ||
        ::getsockname(fds[i], generic, &length) != 0) {
      status =
          absl::InternalError(absl::StrCat("cannot reserve a loopback port: ", ErrnoText(errno)));
    } else {
      ports[i] = ntohs(address.sin_port);
    }
  }
  for (int fd : fds) {
    if (fd >= 0) ::close(fd);
  }
  if (!status.ok()) return status;
  return ports;
}

// "name=value" entries of our environment, minus the variables that slow the engine down, with
// HOME pointed at the data directory (the engine writes its own files under it).
std::vector<std::string> ChildEnvironment(const std::string& home) {
  std::vector<std::string> result;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::string_view name = text.substr(0, text.find('='));
    const bool dropped =
        name == "HOME" || std::find(kDroppedVariables.begin(), kDroppedVariables.end(), name) !=
                              kDroppedVariables.end();
    if (!dropped) result.emplace_back(text);
  }
  result.push_back("HOME=" + home);
  return result;
}

std::vector<char*> NullTerminated(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exit code ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return absl::StrCat("signal ", WTERMSIG(status), " (", ::strsignal(WTERMSIG(status)), ")");
  }
  return absl::StrCat("wait status ", status);
}

// Runs in the forked child, so it may only make async-signal-safe calls.
[[noreturn]] void ExecEngine(pid_t parent, int log_fd, int exec_error_fd, char** argv,
                             char** envp) {
  ::setpgid(0, 0);
  // The engine must not outlive us, even if we are killed; if the parent is already gone, quit.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(127);
  // Blocked and ignored signals survive exec; the engine needs SIGTERM and SIGINT to work.
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction default_action = {};
  default_action.sa_handler = SIG_DFL;
  for (int signal = 1; signal < NSIG; ++signal) ::sigaction(signal, &default_action, nullptr);

  if (const int null_fd = ::open("/dev/null", O_RDONLY); null_fd >= 0) {
    ::dup2(null_fd, STDIN_FILENO);
  }
  if (log_fd >= 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
  }
  // Keep descriptors the test process opened without O_CLOEXEC (sockets, files) out of the engine.
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execve(argv[0], argv, envp);
  const int error = errno;
  [[maybe_unused]] const ssize_t written = ::write(exec_error_fd, &error, sizeof(error));
  ::_exit(127);
}

// Whether `pid` holds the socket listening on 127.0.0.1:`port`. Guards against a port conflict in
// which another engine answers our health check.
bool ProcessListensOn(pid_t pid, int port) {
  std::ifstream table("/proc/net/tcp");
  std::array<char, 16> local = {};
  std::snprintf(local.data(), local.size(), "0100007F:%04X", static_cast<unsigned>(port));
  constexpr std::string_view kListenState = "0A";
  std::string line;
  std::string socket_link;
  std::getline(table, line);  // column titles
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local_address, remote_address, state, queues, timer, retransmits, uid,
        timeout, inode;
    fields >> slot >> local_address >> remote_address >> state >> queues >> timer >> retransmits >>
        uid >> timeout >> inode;
    if (local_address == local.data() && state == kListenState) {
      socket_link = "socket:[" + inode + "]";
      break;
    }
  }
  if (socket_link.empty()) return false;
  std::error_code error;
  fs::directory_iterator fd("/proc/" + std::to_string(pid) + "/fd", error);
  for (; !error && fd != fs::directory_iterator(); fd.increment(error)) {
    std::error_code link_error;
    if (fs::read_symlink(fd->path(), link_error).string() == socket_link) return true;
  }
  return false;
}

absl::StatusOr<std::string> ReadFileFrom(const std::string& path, std::uintmax_t offset) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  file.seekg(static_cast<std::streamoff>(offset));
  // A chunked read: GCC 12 flags istreambuf_iterator with a false -Wnull-dereference.
  std::string text;
  std::array<char, 16384> chunk;
  while (file.read(chunk.data(), chunk.size()) || file.gcount() > 0) {
    text.append(chunk.data(), static_cast<std::size_t>(file.gcount()));
  }
  return text;
}

// `json[key]` if `json` is an object with a string there, else "".
std::string StringField(const nlohmann::json& json, const char* key) {
  if (!json.is_object()) return std::string();
  const auto found = json.find(key);
  return found != json.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// The last `max_bytes` of `text`, starting at a line boundary.
std::string Tail(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::string_view tail = std::string_view(text).substr(text.size() - max_bytes);
  if (const std::size_t newline = tail.find('\n'); newline != std::string_view::npos) {
    tail.remove_prefix(newline + 1);
  }
  return std::string(tail);
}

}  // namespace

LocalEngine::LocalEngine(LocalEngineOptions options, bool owns_data_dir)
    : options_(std::move(options)), owns_data_dir_(owns_data_dir) {}

absl::StatusOr<std::unique_ptr<LocalEngine>> LocalEngine::Start(LocalEngineOptions options) {
  options.binary = ResolveBinary(options.binary);
  if (absl::Status status = CheckExecutable(options.binary); !status.ok()) return status;
  if (absl::StatusOr<nlohmann::json> extra = ParseExtraConfig(options.extra_config_json);
      !extra.ok()) {
    return extra.status();
  }
  const bool owns_data_dir = options.data_dir.empty();
  absl::StatusOr<std::string> data_dir = PrepareDataDir(options.data_dir);
  if (!data_dir.ok()) return data_dir.status();
  options.data_dir = *std::move(data_dir);

  std::unique_ptr<LocalEngine> engine(new LocalEngine(std::move(options), owns_data_dir));
  if (absl::Status status = engine->StartOnFreshPorts(); !status.ok()) return status;
  return engine;
}

LocalEngine::~LocalEngine() {
  static_cast<void>(Stop());
  if (owns_data_dir_ && !keep_data_dir_) {
    std::error_code ignored;
    fs::remove_all(options_.data_dir, ignored);
  }
}

absl::Status LocalEngine::StartOnFreshPorts() {
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<std::array<int, 3>> ports = PickFreePorts();
    if (!ports.ok()) return ports.status();
    guard_port_ = (*ports)[0];
    api_peer_port_ = (*ports)[1];
    metrics_port_ = (*ports)[2];
    if (absl::Status status = WriteConfig(); !status.ok()) return status;
    if (absl::Status status = Spawn(); !status.ok()) return status;
    bool port_conflict = false;
    absl::Status status = WaitReady(attempt < kStartAttempts ? &port_conflict : nullptr);
    if (!port_conflict) return status;
  }
}

absl::Status LocalEngine::Stop() {
  if (pid_ < 0) return absl::OkStatus();
  if (std::optional<int> status = ReapIfExited(); status.has_value()) {
    return absl::InternalError(
        absl::StrCat("rivet-engine had already exited with ", DescribeWaitStatus(*status)));
  }
  const auto [status, killed] = Terminate(SIGTERM, kStopGrace);
  if (killed) {
    return absl::InternalError(absl::StrCat("rivet-engine did not exit within ", kStopGrace.count(),
                                            " ms of SIGTERM and was killed"));
  }
  const bool clean = (WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
                     (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  if (!clean) {
    return absl::InternalError(
        absl::StrCat("rivet-engine exited with ", DescribeWaitStatus(status), " on SIGTERM"));
  }
  return absl::OkStatus();
}

absl::Status LocalEngine::Kill() {
  if (pid_ >= 0) Terminate(SIGKILL, milliseconds(0));
  return absl::OkStatus();
}

absl::Status LocalEngine::Restart() {
  static_cast<void>(Stop());
  if (absl::Status status = Spawn(); !status.ok()) return status;
  return WaitReady(nullptr);
}

std::string LocalEngine::endpoint() const {
  return absl::StrCat("http://", kLoopback, ":", guard_port_);
}

bool LocalEngine::running() const {
  if (pid_ < 0) return false;
  siginfo_t info = {};
  // WNOWAIT leaves an exited child to be reaped by a non-const call.
  return ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == 0;
}

std::string LocalEngine::log_path() const {
  return options_.forward_logs ? std::string()
                               : (fs::path(options_.data_dir) / "engine.log").string();
}

std::string LocalEngine::config_path() const {
  return (fs::path(options_.data_dir) / "engine.json").string();
}

absl::StatusOr<std::string> LocalEngine::Health() const {
  return HealthWithin(kHealthRequestTimeout);
}

absl::StatusOr<std::string> LocalEngine::HealthWithin(milliseconds timeout) const {
  const std::string url = endpoint() + "/health";
  absl::StatusOr<HttpResponse> response = HttpRequest("GET", url, {}, {}, timeout);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return absl::UnavailableError(
        absl::StrCat("GET ", url, " -> HTTP ", response->status, ": ", response->body));
  }
  return std::move(response->body);
}

absl::StatusOr<std::string> LocalEngine::ReadLog() const {
  if (options_.forward_logs) {
    return absl::FailedPreconditionError("the engine log is forwarded to this process's output");
  }
  return ReadFileFrom(log_path(), 0);
}

absl::Status LocalEngine::WriteConfig() const {
  try {
    // Where the engine listens and stores data; endpoint() and the restart logic rely on these.
    const nlohmann::json pinned = {
        {"guard", {{"host", kLoopback}, {"port", guard_port_}}},
        {"api_peer", {{"host", kLoopback}, {"port", api_peer_port_}}},
        {"metrics", {{"host", kLoopback}, {"port", metrics_port_}}},
        {"file_system", {{"path", (fs::path(options_.data_dir) / "engine-data").string()}}},
    };
    nlohmann::json config = pinned;
    // Telemetry is on by default and would phone home.
    config["telemetry"] = {{"enabled", false}};
    // By default the engine pulls fewer internal jobs as host CPU load rises (down to 5% above
    // 90%). Tests share two cores with compilers and other engines, where that stalls namespace
    // creation and actor scheduling for minutes; a huge CPU budget turns the shedding off.
    config["runtime"] = {{"worker_cpu_max", 1000000}};
    if (!options_.admin_token.empty()) config["auth"] = {{"admin_token", options_.admin_token}};
    // Start() validated the extra config already.
    config.merge_patch(*ParseExtraConfig(options_.extra_config_json));
    const nlohmann::json pinned_leaves = pinned.flatten();
    for (const auto& [pointer, value] : pinned_leaves.items()) {
      const nlohmann::json::json_pointer path(pointer);
      if (!config.contains(path) || config.at(path) != value) {
        return absl::InvalidArgumentError(absl::StrCat("extra_config_json must not change ",
                                                       pointer, ": the harness chooses it"));
      }
    }
    std::ofstream file(config_path(), std::ios::trunc);
    file << config.dump(2) << '\n';
    file.close();
    if (!file) return absl::InternalError(absl::StrCat("cannot write '", config_path(), "'"));
  } catch (const nlohmann::json::exception& error) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot build the engine config: ", error.what()));
  }
  return absl::OkStatus();
}

absl::Status LocalEngine::Spawn() {
  std::vector<std::string> args = {options_.binary, "--config", config_path(), "start"};
  std::vector<std::string> env = ChildEnvironment(options_.data_dir);
  std::vector<char*> argv = NullTerminated(args);
  std::vector<char*> envp = NullTerminated(env);

  int log_fd = -1;
  if (!options_.forward_logs) {
    log_fd = ::open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    struct stat info = {};
    if (log_fd < 0 || ::fstat(log_fd, &info) != 0) {
      if (log_fd >= 0) ::close(log_fd);
      return absl::InternalError(
          absl::StrCat("cannot open '", log_path(), "': ", ErrnoText(errno)));
    }
    log_offset_ = static_cast<std::uintmax_t>(info.st_size);
  }
  // The child reports a failed exec through this pipe; a successful exec closes it.
  std::array<int, 2> exec_pipe = {-1, -1};
  if (::pipe2(exec_pipe.data(), O_CLOEXEC) != 0) {
    if (log_fd >= 0) ::close(log_fd);
    return absl::InternalError(absl::StrCat("pipe2 failed: ", ErrnoText(errno)));
  }

  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child == 0) ExecEngine(parent, log_fd, exec_pipe[1], argv.data(), envp.data());
  const int fork_errno = errno;
  ::close(exec_pipe[1]);
  if (log_fd >= 0) ::close(log_fd);
  if (child < 0) {
    ::close(exec_pipe[0]);
    return absl::InternalError(absl::StrCat("fork failed: ", ErrnoText(fork_errno)));
  }
  // Also set the group here, so signalling the group works even before the child gets to it.
  ::setpgid(child, child);

  int exec_errno = 0;
  ssize_t got = 0;
  do {
    got = ::read(exec_pipe[0], &exec_errno, sizeof(exec_errno));
  } while (got < 0 && errno == EINTR);
  ::close(exec_pipe[0]);
  if (got > 0) {
    int ignored = 0;
    ::waitpid(child, &ignored, 0);
    return absl::InternalError(
        absl::StrCat("cannot execute '", options_.binary, "': ", ErrnoText(exec_errno)));
  }
  pid_ = child;
  return absl::OkStatus();
}

absl::Status LocalEngine::WaitReady(bool* port_conflict) {
  const Clock::time_point deadline = Clock::now() + options_.ready_timeout;
  for (;;) {
    if (std::optional<int> status = ReapIfExited(); status.has_value()) {
      return EarlyExitError(*status);
    }
    const Clock::time_point now = Clock::now();
    const auto remaining = std::chrono::duration_cast<milliseconds>(deadline - now);
    bool conflict = port_conflict != nullptr && !options_.forward_logs &&
                    absl::StrContains(LogOfCurrentRun(), kAddressInUse);
    if (!conflict) {
      absl::StatusOr<std::string> body =
          HealthWithin(std::clamp(remaining, milliseconds(1), milliseconds(1000)));
      if (body.ok() && ProcessListensOn(pid_, guard_port_)) return VerifyHealthBody(*body);
      conflict = body.ok();
    }
    if (conflict && port_conflict != nullptr) {
      *port_conflict = true;
      Terminate(SIGKILL, milliseconds(0));
      return absl::UnavailableError("another process took one of the engine's ports");
    }
    if (Clock::now() >= deadline) {
      Terminate(SIGKILL, milliseconds(0));
      keep_data_dir_ = true;
      return absl::DeadlineExceededError(
          absl::StrCat("rivet-engine did not report healthy at ", endpoint(), "/health within ",
                       options_.ready_timeout.count(), " ms; see its log at ",
                       options_.forward_logs ? "this process's stderr" : log_path(), "\n",
                       LogTailOfCurrentRun()));
    }
    std::this_thread::sleep_for(kReadyPollInterval);
  }
}

absl::Status LocalEngine::VerifyHealthBody(const std::string& body) {
  const nlohmann::json health = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const bool ok = StringField(health, "status") == "ok";
  const std::string version = StringField(health, "version");
  if (ok && version == kPinnedEngineVersion) return absl::OkStatus();
  Terminate(SIGKILL, milliseconds(0));
  if (!ok) return absl::InternalError(absl::StrCat("unexpected /health response: ", body));
  return absl::FailedPreconditionError(
      absl::StrCat("'", options_.binary, "' is rivet-engine ", version, ", but the harness needs ",
                   ToAbsl(kPinnedEngineVersion), ": run scripts/setup.sh"));
}

std::optional<int> LocalEngine::ReapIfExited() {
  if (pid_ < 0) return std::nullopt;
  int status = 0;
  pid_t reaped = 0;
  do {
    reaped = ::waitpid(pid_, &status, WNOHANG);
  } while (reaped < 0 && errno == EINTR);
  if (reaped != pid_) return std::nullopt;
  pid_ = -1;
  return status;
}

std::pair<int, bool> LocalEngine::Terminate(int signal, milliseconds grace) {
  // With no child, -pid_ would address init or every process we may signal.
  if (pid_ <= 0) return {0, false};
  // Signal the whole group in case the engine started helpers; fall back to the pid alone.
  if (::kill(-pid_, signal) != 0) ::kill(pid_, signal);
  const Clock::time_point deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    if (std::optional<int> status = ReapIfExited(); status.has_value()) return {*status, false};
    std::this_thread::sleep_for(kExitPollInterval);
  }
  if (std::optional<int> status = ReapIfExited(); status.has_value()) return {*status, false};
  if (::kill(-pid_, SIGKILL) != 0) ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return {status, signal != SIGKILL};
}

absl::Status LocalEngine::EarlyExitError(int wait_status) const {
  if (options_.forward_logs) {
    return absl::InternalError(absl::StrCat("rivet-engine exited during startup with ",
                                            DescribeWaitStatus(wait_status),
                                            "; its output went to this process's stderr"));
  }
  return absl::InternalError(absl::StrCat("rivet-engine exited during startup with ",
                                          DescribeWaitStatus(wait_status), "; last lines of ",
                                          log_path(), ":\n", LogTailOfCurrentRun()));
}

std::string LocalEngine::LogOfCurrentRun() const {
  if (options_.forward_logs) return std::string();
  return ReadFileFrom(log_path(), log_offset_).value_or(std::string());
}

std::string LocalEngine::LogTailOfCurrentRun() const {
  return Tail(LogOfCurrentRun(), kLogTailBytes);
}

int UnusedLoopbackPort() {
  absl::StatusOr<std::array<int, 3>> ports = PickFreePorts();
  return ports.ok() ? (*ports)[0] : 0;
}

}  // namespace tether::testing
