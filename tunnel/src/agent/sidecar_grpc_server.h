// SidecarGrpcServer: the sidecar API (proto/tether_sidecar.proto) over gRPC, on a Unix socket or
// a loopback port, answering with a SidecarService. gRPC's headers stay in its .cc file.
//
// Threading: gRPC's sync server runs each call on a thread of its own pool; the service is
// thread-safe.
#ifndef TETHER_TUNNEL_AGENT_SIDECAR_GRPC_SERVER_H_
#define TETHER_TUNNEL_AGENT_SIDECAR_GRPC_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "agent/sidecar_service.h"

namespace tether::agent {

class SidecarGrpcServer {
 public:
  // Listens on `address`: "unix:/path" or "host:port" (port 0 picks a free one). Unavailable
  // names the address when it cannot listen. `service` must outlive the server.
  static absl::StatusOr<std::unique_ptr<SidecarGrpcServer>> Start(const std::string& address, SidecarService& service);
  // Ends the watches and stops, cancelling calls still running after a short grace period.
  ~SidecarGrpcServer();

  SidecarGrpcServer(const SidecarGrpcServer&) = delete;
  SidecarGrpcServer& operator=(const SidecarGrpcServer&) = delete;

  // Where it listens, with the port it picked.
  const std::string& address() const { return address_; }

 private:
  struct Impl;
  SidecarGrpcServer(std::unique_ptr<Impl> impl, std::string address);

  std::unique_ptr<Impl> impl_;
  std::string address_;
};

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_SIDECAR_GRPC_SERVER_H_
