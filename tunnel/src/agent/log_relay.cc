#include "agent/log_relay.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tether::agent {
namespace {

// A line longer than this is passed on in pieces (a crash dump, not an SDK event).
constexpr std::size_t kMaxLineBytes = 64 * 1024;

void WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<LogRelay>> LogRelay::Start(LogFormat format) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError(absl::StrCat("log relay: pipe: ", std::strerror(errno)));
  const int original = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  if (original < 0 || ::dup2(fds[1], STDERR_FILENO) < 0) {
    const std::string error = std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    if (original >= 0) ::close(original);
    return absl::InternalError(absl::StrCat("log relay: cannot redirect stderr: ", error));
  }
  ::close(fds[1]);  // fd 2 is the write end now
  return std::unique_ptr<LogRelay>(new LogRelay(format, fds[0], original));
}

LogRelay::LogRelay(LogFormat format, int read_fd, int original_stderr)
    : format_(format), read_fd_(read_fd), original_stderr_(original_stderr) {
  thread_ = std::thread([this] { Run(); });
}

LogRelay::~LogRelay() {
  // The pipe's last write end is fd 2: pointing fd 2 back ends the pipe, and the thread sees EOF
  // after the lines still in it.
  ::dup2(original_stderr_, STDERR_FILENO);
  thread_.join();
  ::close(read_fd_);
  ::close(original_stderr_);
}

void LogRelay::Run() {
  std::string pending;
  char chunk[4096];
  const auto emit = [this](std::string_view line) {
    std::optional<LogRecord> record = ParseLogfmt(line);
    if (format_ == LogFormat::kText) return WriteAll(original_stderr_, std::string(line) + "\n");
    if (!record) record = LogRecord{{{"msg", std::string(line)}}};
    WriteAll(original_stderr_, absl::StrCat(RenderJson(*record), "\n"));
  };
  while (true) {
    const ssize_t got = ::read(read_fd_, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    pending.append(chunk, static_cast<std::size_t>(got));
    std::size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      emit(std::string_view(pending).substr(0, newline));
      pending.erase(0, newline + 1);
    }
    if (pending.size() > kMaxLineBytes) {
      emit(pending);
      pending.clear();
    }
  }
  if (!pending.empty()) emit(pending);
}

}  // namespace tether::agent
