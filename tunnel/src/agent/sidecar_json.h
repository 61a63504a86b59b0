// The sidecar API as JSON over HTTP on the admin server, for apps without gRPC (Python's standard
// library, curl): POST /sidecar/v1/<Method> with the request message in protobuf's JSON mapping,
// answered 200 with the response message (proto field names, every field printed) or with
// {"code": "NOT_FOUND", "message": "..."} and the HTTP status of that code. WatchActors streams
// and the admin server answers each request whole, so it is gRPC only.
//
// Threading: the handlers run on the admin server's thread, one request at a time.
#ifndef TETHER_TUNNEL_AGENT_SIDECAR_JSON_H_
#define TETHER_TUNNEL_AGENT_SIDECAR_JSON_H_

#include <functional>
#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/admin_server.h"
#include "agent/sidecar_service.h"

namespace tether::agent {

// Every JSON path starts with this.
inline constexpr char kSidecarJsonPrefix[] = "/sidecar/v1/";

// Registers /sidecar/v1/<Method> for every unary method of `service`, which must outlive `admin`.
void ServeSidecarJson(AdminServer& admin, SidecarService& service);

// The HTTP status that answers a gRPC/absl status code (e.g. NotFound: 404).
int HttpStatusOf(absl::StatusCode code);
// {"code": "NOT_FOUND", "message": "..."} with the matching HTTP status.
AdminResponse JsonError(const absl::Status& error);

// One JSON call: parses `request` (a POST body) into `Request`, calls `method`, and prints its
// answer. A body that is not the request message answers 400 INVALID_ARGUMENT.
template <class Request, class Response>
AdminResponse CallJson(const AdminRequest& request,
                       const std::function<absl::StatusOr<Response>(const Request&)>& method);

namespace internal {
absl::Status ParseJsonMessage(const std::string& json, google::protobuf::Message& message);
AdminResponse PrintJsonMessage(const google::protobuf::Message& message);
}  // namespace internal

template <class Request, class Response>
AdminResponse CallJson(const AdminRequest& request,
                       const std::function<absl::StatusOr<Response>(const Request&)>& method) {
  if (request.method != "POST") {
    return JsonError(absl::UnimplementedError("sidecar calls are POST requests with a JSON body"));
  }
  Request parsed;
  if (absl::Status status = internal::ParseJsonMessage(request.body, parsed); !status.ok()) return JsonError(status);
  absl::StatusOr<Response> response = method(parsed);
  if (!response.ok()) return JsonError(response.status());
  return internal::PrintJsonMessage(*response);
}

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_SIDECAR_JSON_H_
