#include <cstdlib>
#include <string_view>

#include "absl/strings/escaping.h"
#include "tether/bare/codec.h"
#include "tether/proto/runner_protocol_v7.h"
#include "tether/serverless.h"

namespace tether {
namespace {

const std::string* FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

absl::Status Missing(std::string_view header) {
  return absl::InvalidArgumentError("the /start request has no " + std::string(header) + " header");
}

}  // namespace

absl::StatusOr<ServerlessStart> ServerlessStart::FromHeaders(const HttpHeaders& headers) {
  ServerlessStart start;
  const std::pair<std::string_view, std::string*> required[] = {{"x-rivet-endpoint", &start.endpoint},
                                                                {"x-rivet-namespace-name", &start.namespace_name},
                                                                {"x-rivet-runner-name", &start.runner_name}};
  for (const auto& [name, field] : required) {
    const std::string* value = FindHeader(headers, name);
    if (value == nullptr || value->empty()) return Missing(name);
    *field = *value;
  }
  if (const std::string* token = FindHeader(headers, "x-rivet-token")) start.token = *token;
  const std::string* slots = FindHeader(headers, "x-rivet-total-slots");
  if (slots == nullptr) return Missing("x-rivet-total-slots");
  char* end = nullptr;
  const unsigned long long parsed = std::strtoull(slots->c_str(), &end, 10);
  if (slots->empty() || end != slots->c_str() + slots->size() || parsed == 0 || parsed > 0xffffffffULL) {
    return absl::InvalidArgumentError("x-rivet-total-slots is not a positive number: \"" + *slots + "\"");
  }
  start.total_slots = static_cast<std::uint32_t>(parsed);
  if (absl::StatusOr<Endpoint> endpoint = ParseEndpoint(start.endpoint); !endpoint.ok()) {
    return absl::InvalidArgumentError("x-rivet-endpoint: " + std::string(endpoint.status().message()));
  }
  return start;
}

RunnerConfig ServerlessStart::Configure(RunnerConfig base) const {
  base.endpoint = endpoint;
  base.token = token;
  base.namespace_name = namespace_name;
  base.runner_name = runner_name;
  base.total_slots = total_slots;
  return base;
}

std::string ServerlessInitEventData(const std::string& runner_id) {
  constexpr std::uint16_t kProtocolVersion = 7;
  bare::Bytes packet = {static_cast<std::uint8_t>(kProtocolVersion & 0xff), static_cast<std::uint8_t>(kProtocolVersion >> 8)};
  const proto::v7::ToServerlessServer init = proto::v7::ToServerlessServerInit{runner_id, kProtocolVersion};
  // An id is a short string: encoding it cannot fail.
  (void)bare::EncodeTo(init, packet);
  return absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(packet.data()), packet.size()));
}

}  // namespace tether
