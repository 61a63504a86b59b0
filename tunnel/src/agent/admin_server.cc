#include "agent/admin_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <optional>
#include <cstring>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "string_view_conversion.h"

namespace tether::agent {
namespace {

constexpr std::size_t kMaxHeadBytes = 16 * 1024;
constexpr std::size_t kMaxBodyBytes = 1024 * 1024;
constexpr int kIoTimeoutSeconds = 2;

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

void SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
}

// The Content-Length of a request head, 0 when absent; nullopt when malformed.
std::optional<std::size_t> ContentLength(std::string_view head) {
  const std::string lowered = absl::AsciiStrToLower(ToAbsl(head));
  const std::size_t at = lowered.find("\r\ncontent-length:");
  if (at == std::string::npos) return 0;
  std::string_view value = std::string_view(lowered).substr(at + 17);
  value = value.substr(0, value.find("\r\n"));
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  std::size_t length = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
  if (error != std::errc()) return std::nullopt;
  return length;
}

// Reads one request; an error response when it is malformed or too large.
absl::StatusOr<AdminRequest> ReadRequest(int fd, AdminResponse& error) {
  std::string data;
  std::size_t head_end = std::string::npos;
  char chunk[4096];
  while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
    if (data.size() > kMaxHeadBytes) {
      error = {413, "text/plain; charset=utf-8", "request head too large\n"};
      return absl::InvalidArgumentError("head too large");
    }
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return absl::UnavailableError("the client left");
    data.append(chunk, static_cast<std::size_t>(got));
  }
  const std::string_view head = std::string_view(data).substr(0, head_end);
  const std::optional<std::size_t> length = ContentLength(head);
  if (!length || *length > kMaxBodyBytes) {
    error = {!length ? 400 : 413, "text/plain; charset=utf-8", "bad or too large Content-Length\n"};
    return absl::InvalidArgumentError("content-length");
  }
  AdminRequest request;
  const std::string_view request_line = head.substr(0, head.find("\r\n"));
  const std::size_t space = request_line.find(' ');
  const std::size_t second = request_line.find(' ', space + 1);
  if (space == std::string_view::npos || second == std::string_view::npos) {
    error = {400, "text/plain; charset=utf-8", "malformed request line\n"};
    return absl::InvalidArgumentError("request line");
  }
  request.method = std::string(request_line.substr(0, space));
  const std::string_view target = request_line.substr(space + 1, second - space - 1);
  const std::size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  request.body = data.substr(head_end + 4);
  while (request.body.size() < *length) {
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return absl::UnavailableError("the client left");
    request.body.append(chunk, static_cast<std::size_t>(got));
  }
  request.body.resize(*length);
  return request;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(const std::string& host, std::uint16_t port) {
  const std::string address = absl::StrCat(host, ":", port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (const int error = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); error != 0) {
    return absl::UnavailableError(absl::StrCat("admin server: cannot resolve ", address, ": ", ::gai_strerror(error)));
  }
  int listen_fd = -1;
  std::string failure = "no address";
  for (addrinfo* candidate = found; candidate != nullptr && listen_fd < 0; candidate = candidate->ai_next) {
    const int fd = ::socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC, candidate->ai_protocol);
    if (fd < 0) continue;
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, candidate->ai_addr, candidate->ai_addrlen) == 0 && ::listen(fd, 64) == 0) {
      listen_fd = fd;
    } else {
      failure = std::strerror(errno);
      ::close(fd);
    }
  }
  ::freeaddrinfo(found);
  if (listen_fd < 0) return absl::UnavailableError(absl::StrCat("admin server: cannot listen on ", address, ": ", failure));
  sockaddr_storage bound{};
  socklen_t bound_size = sizeof bound;
  ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&bound), &bound_size);
  const std::uint16_t bound_port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                                      : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  const int wake_fd = ::eventfd(0, EFD_CLOEXEC);
  if (wake_fd < 0) {
    ::close(listen_fd);
    return absl::InternalError(absl::StrCat("admin server: eventfd: ", std::strerror(errno)));
  }
  return std::unique_ptr<AdminServer>(new AdminServer(listen_fd, wake_fd, bound_port));
}

AdminServer::AdminServer(int listen_fd, int wake_fd, std::uint16_t port)
    : listen_fd_(listen_fd), wake_fd_(wake_fd), port_(port) {
  thread_ = std::thread([this] { Run(); });
}

AdminServer::~AdminServer() {
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_fd_);
}

void AdminServer::Handle(std::string path, AdminHandler handler) {
  std::lock_guard lock(mutex_);
  handlers_[std::move(path)] = std::move(handler);
}

void AdminServer::Run() {
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (true) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int connection = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    Serve(connection);
    ::close(connection);
  }
}

void AdminServer::Serve(int connection) {
  const timeval timeout{kIoTimeoutSeconds, 0};
  ::setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  AdminResponse response;
  absl::StatusOr<AdminRequest> request = ReadRequest(connection, response);
  if (!request.ok() && request.status().code() == absl::StatusCode::kUnavailable) return;
  if (request.ok()) response = Dispatch(*request);
  const bool head = request.ok() && request->method == "HEAD";
  SendAll(connection, absl::StrCat("HTTP/1.1 ", response.status, " ", ToAbsl(ReasonPhrase(response.status)),
                                   "\r\nContent-Type: ", response.content_type, "\r\nContent-Length: ",
                                   response.body.size(), "\r\nConnection: close\r\n\r\n", head ? "" : response.body));
}

AdminResponse AdminServer::Dispatch(const AdminRequest& request) {
  AdminHandler handler;
  {
    std::lock_guard lock(mutex_);
    const auto found = handlers_.find(request.path);
    if (found != handlers_.end()) handler = found->second;
  }
  if (!handler) return {404, "text/plain; charset=utf-8", absl::StrCat("no such path: ", request.path, "\n")};
  return handler(request);
}

}  // namespace tether::agent
