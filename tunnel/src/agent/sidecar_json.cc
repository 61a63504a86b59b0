#include "agent/sidecar_json.h"

#include <google/protobuf/util/json_util.h>

#include <utility>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace tether::agent {
namespace {

// Registers `method` of `service` under /sidecar/v1/`name`.
template <class Request, class Response>
void Route(AdminServer& admin, const char* name, SidecarService& service,
           absl::StatusOr<Response> (SidecarService::*method)(const Request&)) {
  std::function<absl::StatusOr<Response>(const Request&)> call = [&service, method](const Request& request) {
    return (service.*method)(request);
  };
  admin.Handle(absl::StrCat(kSidecarJsonPrefix, name),
               [call = std::move(call)](const AdminRequest& request) { return CallJson(request, call); });
}

}  // namespace

void ServeSidecarJson(AdminServer& admin, SidecarService& service) {
  Route(admin, "KvGet", service, &SidecarService::KvGet);
  Route(admin, "KvPut", service, &SidecarService::KvPut);
  Route(admin, "KvDelete", service, &SidecarService::KvDelete);
  Route(admin, "KvList", service, &SidecarService::KvList);
  Route(admin, "SleepActor", service, &SidecarService::SleepActor);
  Route(admin, "DestroyActor", service, &SidecarService::DestroyActor);
  Route(admin, "SetAlarm", service, &SidecarService::SetAlarm);
  Route(admin, "ClearAlarm", service, &SidecarService::ClearAlarm);
  Route(admin, "GetStatus", service, &SidecarService::GetStatus);
  Route(admin, "ListActors", service, &SidecarService::ListActors);
  Route(admin, "Drain", service, &SidecarService::Drain);
}

int HttpStatusOf(absl::StatusCode code) {
  using absl::StatusCode;
  static constexpr std::pair<StatusCode, int> kHttpStatuses[] = {
      {StatusCode::kOk, 200},
      {StatusCode::kInvalidArgument, 400},
      {StatusCode::kOutOfRange, 400},
      {StatusCode::kUnauthenticated, 401},
      {StatusCode::kPermissionDenied, 403},
      {StatusCode::kNotFound, 404},
      {StatusCode::kAlreadyExists, 409},
      {StatusCode::kAborted, 409},
      {StatusCode::kFailedPrecondition, 412},
      {StatusCode::kResourceExhausted, 429},
      {StatusCode::kCancelled, 499},  // nginx's "client closed request"
      {StatusCode::kUnimplemented, 501},
      {StatusCode::kUnavailable, 503},
      {StatusCode::kDeadlineExceeded, 504},
  };
  for (const auto& [known, http_status] : kHttpStatuses) {
    if (known == code) return http_status;
  }
  return 500;
}

AdminResponse JsonError(const absl::Status& error) {
  const nlohmann::ordered_json body = {{"code", absl::StatusCodeToString(error.code())},
                                       {"message", std::string(error.message())}};
  return {HttpStatusOf(error.code()), "application/json", body.dump() + "\n"};
}

namespace internal {

absl::Status ParseJsonMessage(const std::string& json, google::protobuf::Message& message) {
  // An empty body is the empty message, so that `curl -X POST` works for calls without fields.
  if (json.empty()) return absl::OkStatus();
  const google::protobuf::util::Status parsed = google::protobuf::util::JsonStringToMessage(json, &message);
  if (parsed.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("the body is not a ", message.GetDescriptor()->name(), " in JSON: ", parsed.message().ToString()));
}

AdminResponse PrintJsonMessage(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  if (const google::protobuf::util::Status printed = google::protobuf::util::MessageToJsonString(message, &json, options);
      !printed.ok()) {
    return JsonError(absl::InternalError(absl::StrCat("cannot print the answer: ", printed.message().ToString())));
  }
  return {200, "application/json", json + "\n"};
}

}  // namespace internal
}  // namespace tether::agent
