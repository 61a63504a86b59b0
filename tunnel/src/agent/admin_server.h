// AdminServer: a small HTTP/1.1 server for operators on a local port (/metrics, /ready, and
// whatever else registers a path). Deliberately minimal: one connection at a time, each bounded
// in size (16 KiB of headers, 1 MiB of body) and time (2 s to send the request), answered and
// closed. Not for traffic from the internet.
//
// Threading: Handle may be called from any thread, before or after Start; handlers run on the
// server's thread, one at a time.
#ifndef TETHER_TUNNEL_AGENT_ADMIN_SERVER_H_
#define TETHER_TUNNEL_AGENT_ADMIN_SERVER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace tether::agent {

struct AdminRequest {
  std::string method;
  std::string path;   // without the query
  std::string query;  // after '?', or empty
  std::string body;
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using AdminHandler = std::function<AdminResponse(const AdminRequest& request)>;

class AdminServer {
 public:
  // Listens on host:port (port 0: a free one) and serves on a thread of its own. Unavailable
  // names the address when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<AdminServer>> Start(const std::string& host, std::uint16_t port);
  // Stops listening and joins the thread.
  ~AdminServer();

  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Serves `path` (exact match, e.g. "/metrics") with `handler`, replacing any earlier one.
  void Handle(std::string path, AdminHandler handler);
  // The port it listens on.
  std::uint16_t port() const { return port_; }

 private:
  AdminServer(int listen_fd, int wake_fd, std::uint16_t port);
  void Run();
  void Serve(int connection);
  AdminResponse Dispatch(const AdminRequest& request);

  const int listen_fd_;
  const int wake_fd_;  // an eventfd the destructor signals
  const std::uint16_t port_;
  std::mutex mutex_;
  std::map<std::string, AdminHandler> handlers_;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_ADMIN_SERVER_H_
