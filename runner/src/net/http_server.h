// HttpServer: a small HTTP/1.1 server for the endpoints the engine calls on a runner program
// (the serverless /start stream and /metadata). One thread per connection, a bounded number of
// connections, bounded request heads, no request bodies; a handler answers either with a whole
// response or by streaming its body (server-sent events) until it or the client stops.
//
// Threading: Start/Stop from any thread; handlers run on the connection's thread.
#ifndef TETHER_RUNNER_NET_HTTP_SERVER_H_
#define TETHER_RUNNER_NET_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace tether::net {

struct ServerRequest {
  std::string method;
  std::string target;  // path and query
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercase
};

// How a handler answers. Either Respond once, or StartStream then Write until done.
class ServerResponse {
 public:
  virtual ~ServerResponse() = default;
  virtual void Respond(int status, const std::string& content_type, const std::string& body) = 0;
  virtual bool StartStream(int status, const std::string& content_type) = 0;
  // false once the client is gone.
  virtual bool Write(const std::string& data) = 0;
};

using ServerHandler = std::function<void(const ServerRequest&, ServerResponse&)>;

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // Listens on host:port (port 0: any free port).
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const std::string& host, std::uint16_t port,
                                                           int max_connections, ServerHandler handler);
  virtual std::uint16_t port() const = 0;
  // Stops accepting, closes every connection (streams end) and joins their threads.
  virtual void Stop() = 0;
};

}  // namespace tether::net

#endif  // TETHER_RUNNER_NET_HTTP_SERVER_H_
