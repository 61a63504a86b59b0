// Serverless runners: for a runner config of kind "serverless" (see `tether runner-config upsert
// --serverless-url`), the engine does not wait for runners to connect; it starts them, when its
// actors need room, by calling GET {url}/start on the program's own HTTP endpoint, and polls
// GET {url}/metadata. ServerlessServer is that endpoint: each /start call starts a Runner with
// the endpoint, token, namespace, runner name and slots the engine sends in its headers, answers
// with a server-sent-event stream that first names the runner (so the engine can drain it) and
// then keeps it alive, and ends the stream when the runner stops. When the engine ends a /start
// (its `request_lifespan` is over) the runner drains: its actors move to the next /start with
// their KV, hibernatable WebSockets included.
//
//   tether::ServerlessOptions options;
//   options.port = 8080;
//   auto server = tether::ServerlessServer::Start(options, [](tether::Runner& runner) {
//     runner.RegisterActor("counter", ...);
//   });
//
// The /start headers carry the engine's admin token when auth is on: serve this endpoint only
// where the engine alone can reach it. Threading: thread-safe.
#ifndef TETHER_SERVERLESS_H_
#define TETHER_SERVERLESS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tether/config.h"
#include "tether/http.h"
#include "tether/runner.h"

namespace tether {

// What one GET /start asks for, from the engine's x-rivet-* headers.
struct ServerlessStart {
  std::string endpoint;        // x-rivet-endpoint
  std::string token;           // x-rivet-token (only when the engine has auth on)
  std::string namespace_name;  // x-rivet-namespace-name
  std::string runner_name;     // x-rivet-runner-name
  std::uint32_t total_slots = 0;  // x-rivet-total-slots

  // The error names the missing or malformed header (never the token's value).
  static absl::StatusOr<ServerlessStart> FromHeaders(const HttpHeaders& headers);
  // `base` (log level, threads, timeouts, ...) with what this start asks for.
  RunnerConfig Configure(RunnerConfig base) const;
};

// The data of the stream's first event: base64 of the protocol version (u16, little endian) and
// the BARE ToServerlessServerInit naming the runner.
std::string ServerlessInitEventData(const std::string& runner_id);

struct ServerlessOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (see ServerlessServer::port)
  // Served under this path, e.g. "/api/rivet" for {url} = http://host:port/api/rivet.
  std::string base_path;
  // Everything but what /start sets: log level, actor threads, timeouts, prepopulated names.
  RunnerConfig base;
  // Non-empty: runners connect here rather than to the x-rivet-endpoint the engine sends (its
  // configured public URL), e.g. to reach it on an internal address.
  std::string connect_endpoint;
  // Non-empty: /start calls naming another namespace are refused with 400.
  std::string expected_namespace;
  // Runners (concurrent /start streams) at most; more are refused with 503.
  int max_runners = 16;
  std::chrono::milliseconds keepalive_interval{1000};
  // Reported by /metadata as "version"; the engine needs it non-blank.
  std::string version = "tether";
};

class ServerlessServer {
 public:
  virtual ~ServerlessServer() = default;
  // Listens at once; `register_actors` runs on every runner a /start creates, before it starts.
  static absl::StatusOr<std::unique_ptr<ServerlessServer>> Start(ServerlessOptions options,
                                                                 std::function<void(Runner&)> register_actors);
  virtual std::uint16_t port() const = 0;
  // Drains every runner it started and stops listening.
  virtual void Stop() = 0;
};

}  // namespace tether

#endif  // TETHER_SERVERLESS_H_
