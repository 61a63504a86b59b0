#include "link/close_reason.h"

namespace tether::link {

CloseReason ParseCloseReason(int code, std::string_view reason) {
  CloseReason parsed;
  parsed.code = code;
  parsed.raw = std::string(reason);
  std::string_view id = reason;
  if (const auto hash = reason.find('#'); hash != std::string_view::npos) {
    parsed.ray_id = std::string(reason.substr(hash + 1));
    id = reason.substr(0, hash);
  }
  if (const auto dot = id.find('.'); dot != std::string_view::npos) {
    parsed.group = std::string(id.substr(0, dot));
    parsed.name = std::string(id.substr(dot + 1));
  } else {
    parsed.name = std::string(id);
  }
  return parsed;
}

CloseKind Classify(const CloseReason& reason, bool before_init) {
  const std::string id = reason.id();
  if (id == "ws.eviction") return CloseKind::kEvicted;
  if (id == "ws.going_away") return CloseKind::kGoingAway;
  if (id == "namespace.not_found" || id == "api.forbidden" || id == "guard.missing_header" ||
      id == "ws.invalid_url" || id == "ws.invalid_initial_packet") {
    return CloseKind::kFatal;
  }
  // After Init the same code means one frame was refused (e.g. too large): not a config problem.
  if (id == "ws.invalid_packet" && before_init) return CloseKind::kFatal;
  return CloseKind::kTransient;
}

std::string Explain(const CloseReason& reason, std::string_view namespace_name) {
  const std::string id = reason.id();
  std::string text;
  if (id == "namespace.not_found") {
    text = "namespace \"" + std::string(namespace_name) + "\" does not exist on the engine (RIVET_NAMESPACE)";
  } else if (id == "api.forbidden") {
    text = "the engine rejected the token (RIVET_TOKEN)";
  } else if (id == "guard.missing_header") {
    text = "the engine requires a token and none was sent (RIVET_TOKEN)";
  } else if (id == "ws.invalid_packet") {
    text = "the engine refused a frame; before Init this means it does not accept runner protocol version 7";
  } else if (id == "ws.invalid_url") {
    text = "the engine rejected the connection URL";
  } else if (id == "ws.eviction") {
    text = "the engine closed this runner for good (another runner connected with the same key, or a drain ended)";
  } else if (id == "ws.going_away") {
    text = "the engine is restarting";
  } else {
    text = "the engine closed the connection";
  }
  return text + " [close " + std::to_string(reason.code) + " " + reason.raw + "]";
}

}  // namespace tether::link
