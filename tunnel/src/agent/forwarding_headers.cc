#include "agent/forwarding_headers.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "string_view_conversion.h"

namespace tether::agent {
namespace {

constexpr std::string_view kHopByHop[] = {"connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"};

std::string Lower(std::string_view text) { return absl::AsciiStrToLower(ToAbsl(text)); }

// The lowercase names a Connection header lists: hop-by-hop for this hop only.
std::set<std::string, std::less<>> NamedByConnection(const HttpHeaders& headers) {
  std::set<std::string, std::less<>> named;
  for (const auto& [name, value] : headers) {
    if (Lower(name) != "connection") continue;
    for (absl::string_view token : absl::StrSplit(ToAbsl(value), ',')) {
      const std::string lowered = absl::AsciiStrToLower(absl::StripAsciiWhitespace(token));
      if (!lowered.empty()) named.insert(lowered);
    }
  }
  return named;
}

bool IsHopByHop(std::string_view lowered, const std::set<std::string, std::less<>>& named) {
  return std::find(std::begin(kHopByHop), std::end(kHopByHop), lowered) != std::end(kHopByHop) ||
         lowered.starts_with("proxy-") || named.contains(lowered);
}

}  // namespace

HttpHeaders UpstreamRequestHeaders(const HttpHeaders& client, const ActorInfo& actor) {
  const auto named = NamedByConnection(client);
  HttpHeaders forwarded;
  for (const auto& [name, value] : client) {
    const std::string lowered = Lower(name);
    if (IsHopByHop(lowered, named) || lowered == "content-length" || lowered == "expect" ||
        lowered.starts_with("sec-websocket-") || lowered.starts_with("x-rivet-")) {
      continue;
    }
    if (lowered == "host") {
      forwarded.emplace_back("x-forwarded-host", value);
      continue;
    }
    forwarded.emplace_back(lowered, value);
  }
  forwarded.emplace_back("x-rivet-actor-id", actor.actor_id);
  forwarded.emplace_back("x-rivet-actor-name", actor.name);
  if (actor.key) forwarded.emplace_back("x-rivet-actor-key", *actor.key);
  forwarded.emplace_back("x-rivet-actor-generation", std::to_string(actor.generation));
  return forwarded;
}

HttpHeaders ClientResponseHeaders(const HttpHeaders& upstream) {
  const auto named = NamedByConnection(upstream);
  HttpHeaders forwarded;
  for (const auto& [name, value] : upstream) {
    const std::string lowered = Lower(name);
    if (IsHopByHop(lowered, named) || lowered == "content-length") continue;
    forwarded.emplace_back(lowered, value);
  }
  return forwarded;
}

std::string UpstreamSubprotocols(const HttpHeaders& client) {
  std::string offered;
  for (const auto& [name, value] : client) {
    if (Lower(name) != "sec-websocket-protocol") continue;
    for (absl::string_view token : absl::StrSplit(ToAbsl(value), ',')) {
      const absl::string_view protocol = absl::StripAsciiWhitespace(token);
      if (protocol.empty() || protocol == "rivet" || absl::StartsWith(protocol, "rivet_")) continue;
      if (!offered.empty()) offered += ", ";
      offered.append(protocol.data(), protocol.size());
    }
  }
  return offered;
}

}  // namespace tether::agent
