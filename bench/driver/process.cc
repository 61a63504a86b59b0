#include "driver/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace tether::bench {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kLogTailBytes = 2048;

std::vector<std::string> ChildEnvironment(const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const std::size_t eq = text.find('=');
    if (eq != std::string::npos) merged[text.substr(0, eq)] = text.substr(eq + 1);
  }
  // They make the engine capture a backtrace per message; no child needs them.
  merged.erase("RUST_BACKTRACE");
  merged.erase("RUST_LIB_BACKTRACE");
  for (const auto& [name, value] : overrides) merged[name] = value;
  std::vector<std::string> result;
  for (const auto& [name, value] : merged) result.push_back(name + "=" + value);
  return result;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// In the forked child: only async-signal-safe calls until exec.
[[noreturn]] void ExecChild(pid_t parent, int stdin_fd, int stdout_fd, int log_fd, int error_fd, char** argv,
                            char** envp) {
  ::setpgid(0, 0);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(127);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::dup2(stdin_fd, STDIN_FILENO);
  ::dup2(stdout_fd, STDOUT_FILENO);
  ::dup2(log_fd, STDERR_FILENO);
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execvpe(argv[0], argv, envp);
  const int error = errno;
  [[maybe_unused]] const ssize_t written = ::write(error_fd, &error, sizeof(error));
  ::_exit(127);
}

}  // namespace

std::int64_t MonotonicNs() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

absl::StatusOr<std::unique_ptr<BenchProcess>> BenchProcess::Spawn(const Options& options) {
  if (options.argv.empty()) return absl::InvalidArgumentError("no program to run");
  std::vector<std::string> args = options.argv;
  std::vector<std::string> env = ChildEnvironment(options.env);
  std::vector<char*> argv = Pointers(args);
  std::vector<char*> envp = Pointers(env);

  const int log_fd = ::open(options.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return absl::InternalError(absl::StrCat("cannot open ", options.log_path, ": ", std::strerror(errno)));
  std::array<int, 2> in{-1, -1}, out{-1, -1}, exec_error{-1, -1};
  if (::pipe2(in.data(), O_CLOEXEC) != 0 || ::pipe2(out.data(), O_CLOEXEC) != 0 ||
      ::pipe2(exec_error.data(), O_CLOEXEC) != 0) {
    const int error = errno;
    for (int fd : {log_fd, in[0], in[1], out[0], out[1], exec_error[0], exec_error[1]}) {
      if (fd >= 0) ::close(fd);
    }
    return absl::InternalError(absl::StrCat("pipe2: ", std::strerror(error)));
  }
  const pid_t parent = ::getpid();
  const std::int64_t spawn_ns = MonotonicNs();
  const pid_t child = ::fork();
  if (child == 0) ExecChild(parent, in[0], out[1], log_fd, exec_error[1], argv.data(), envp.data());
  const int fork_error = errno;
  for (int fd : {log_fd, in[0], out[1], exec_error[1]}) ::close(fd);
  if (child < 0) {
    for (int fd : {in[1], out[0], exec_error[0]}) ::close(fd);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(fork_error)));
  }
  ::setpgid(child, child);  // also here, so signalling the group works before the child runs
  int exec_errno = 0;
  ssize_t got = 0;
  do {
    got = ::read(exec_error[0], &exec_errno, sizeof(exec_errno));
  } while (got < 0 && errno == EINTR);
  ::close(exec_error[0]);
  if (got > 0) {
    ::waitpid(child, nullptr, 0);
    for (int fd : {in[1], out[0]}) ::close(fd);
    return absl::NotFoundError(absl::StrCat("cannot execute ", args[0], ": ", std::strerror(exec_errno)));
  }
  return std::unique_ptr<BenchProcess>(
      new BenchProcess(child, spawn_ns, in[1], out[0], args[0].substr(args[0].rfind('/') + 1), options.log_path));
}

BenchProcess::BenchProcess(pid_t pid, std::int64_t spawn_ns, int stdin_fd, int stdout_fd, std::string name,
                           std::string log_path)
    : pid_(pid),
      spawn_ns_(spawn_ns),
      stdin_fd_(stdin_fd),
      stdout_fd_(stdout_fd),
      name_(std::move(name)),
      log_path_(std::move(log_path)) {}

BenchProcess::~BenchProcess() {
  Stop(milliseconds(0));
  ::close(stdin_fd_);
  ::close(stdout_fd_);
}

absl::StatusOr<std::string> BenchProcess::ReadLine(milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    if (const std::size_t newline = pending_.find('\n'); newline != std::string::npos) {
      std::string line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return absl::DeadlineExceededError(
          absl::StrCat(name_, " printed no line within ", timeout.count(), " ms; its log:\n", LogTail()));
    }
    pollfd ready{stdout_fd_, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) continue;
    std::array<char, 4096> chunk;
    const ssize_t n = ::read(stdout_fd_, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError(absl::StrCat(name_, " exited; its log:\n", LogTail()));
    pending_.append(chunk.data(), static_cast<std::size_t>(n));
  }
}

absl::Status BenchProcess::WriteLine(std::string_view line) {
  const std::string text = std::string(line) + "\n";
  if (::write(stdin_fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return absl::UnavailableError(absl::StrCat("cannot write to ", name_, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

std::optional<int> BenchProcess::WaitFor(milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (!exit_code_) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return exit_code_;
}

void BenchProcess::Stop(milliseconds grace) {
  if (exit_code_) return;
  if (grace.count() > 0) {
    ::kill(-pid_, SIGTERM);
    if (WaitFor(grace)) return;
  }
  ::kill(-pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exit_code_ = 128 + SIGKILL;
}

std::string BenchProcess::LogTail() const {
  std::ifstream file(log_path_);
  std::ostringstream text;
  text << file.rdbuf();
  const std::string all = text.str();
  return all.size() <= kLogTailBytes ? all : all.substr(all.size() - kLogTailBytes);
}

absl::StatusOr<std::string> RunAndCapture(const std::vector<std::string>& argv, const std::string& log_path,
                                          milliseconds timeout) {
  absl::StatusOr<std::unique_ptr<BenchProcess>> process = BenchProcess::Spawn({argv, {}, log_path});
  if (!process.ok()) return process.status();
  const Clock::time_point deadline = Clock::now() + timeout;
  std::string text;
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    absl::StatusOr<std::string> line = (*process)->ReadLine(std::max(left, milliseconds(1)));
    if (absl::IsUnavailable(line.status())) break;  // it closed its stdout: it exited
    if (!line.ok()) return line.status();
    absl::StrAppend(&text, *line, "\n");
  }
  const std::optional<int> code = (*process)->WaitFor(milliseconds(5000));
  if (code != 0) {
    return absl::InternalError(absl::StrCat(argv[0], " failed (exit ", code.value_or(-1), "); see ", log_path));
  }
  return text;
}

}  // namespace tether::bench
