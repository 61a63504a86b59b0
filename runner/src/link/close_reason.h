// What an engine close frame means for the runner. The engine closes with reason
// "{group}.{code}#{ray id}" (1011 for errors, 1000 for normal closes and eviction) and always
// accepts the WebSocket upgrade first, so refusals (bad token, unknown namespace, unsupported
// protocol version) show up only here.
//
// Threading: pure functions.
#ifndef TETHER_RUNNER_LINK_CLOSE_REASON_H_
#define TETHER_RUNNER_LINK_CLOSE_REASON_H_

#include <string>
#include <string_view>

namespace tether::link {

struct CloseReason {
  int code = 0;
  std::string group;   // "ws", "namespace", "api", ...
  std::string name;    // "eviction", "not_found", ...
  std::string ray_id;  // the engine's trace id, for its logs
  std::string raw;

  std::string id() const { return group + "." + name; }  // "ws.eviction"
};

CloseReason ParseCloseReason(int code, std::string_view reason);

enum class CloseKind {
  kTransient,  // reconnect with backoff
  kGoingAway,  // the engine restarts: reconnect at once
  kEvicted,    // the engine closed this runner for good (another runner took its key, or a drain ended)
  kFatal,      // misconfiguration: reconnecting cannot help
};

// `before_init`: the close came before ToClientInit (some reasons are only fatal then).
CloseKind Classify(const CloseReason& reason, bool before_init);

// A sentence for logs and errors: what went wrong and what to check. `namespace_name` fills in
// the namespace for namespace errors.
std::string Explain(const CloseReason& reason, std::string_view namespace_name);

}  // namespace tether::link

#endif  // TETHER_RUNNER_LINK_CLOSE_REASON_H_
