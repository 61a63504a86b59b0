#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "log.h"
#include "net/http_server.h"
#include "nlohmann/json.hpp"
#include "tether/serverless.h"

namespace tether {
namespace {

// How long a /start waits for its runner to be accepted by the engine before answering 500; the
// engine retries a failed start with backoff, but an early end of a 200 stream without it.
constexpr std::chrono::seconds kConnectTimeout{15};

class Server final : public ServerlessServer {
 public:
  Server(ServerlessOptions options, std::function<void(Runner&)> register_actors)
      : options_(std::move(options)), register_actors_(std::move(register_actors)) {}
  ~Server() override { Stop(); }

  absl::Status Listen() {
    absl::StatusOr<std::unique_ptr<net::HttpServer>> http = net::HttpServer::Start(
        options_.host, options_.port, options_.max_runners + 8,
        [this](const net::ServerRequest& request, net::ServerResponse& response) { Handle(request, response); });
    if (!http.ok()) return http.status();
    http_ = *std::move(http);
    log::Write(LogLevel::kInfo, "serverless endpoint listening",
               {{"url", "http://" + options_.host + ":" + std::to_string(http_->port()) + options_.base_path}});
    return absl::OkStatus();
  }

  std::uint16_t port() const override { return http_->port(); }

  void Stop() override {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
      for (Runner* runner : runners_) runner->Stop();
    }
    if (http_ != nullptr) http_->Stop();
  }

 private:
  void Handle(const net::ServerRequest& request, net::ServerResponse& response) {
    const std::string path = request.target.substr(0, request.target.find('?'));
    if (request.method != "GET") return response.Respond(405, "text/plain", "only GET\n");
    if (path == options_.base_path + "/metadata") return response.Respond(200, "application/json", Metadata());
    if (path == options_.base_path + "/health") return response.Respond(200, "application/json", R"({"status":"ok"})");
    if (path == options_.base_path + "/start") return ServeStart(request, response);
    response.Respond(404, "text/plain", "not found\n");
  }

  // "runtime": "rivetkit" is what the engine requires; no envoy protocol version is announced, or
  // the engine would move the pool to the envoy protocol.
  std::string Metadata() const {
    nlohmann::json names = nlohmann::json::object();
    for (const auto& [name, metadata] : options_.base.prepopulate_actor_names) {
      names[name] = {{"metadata", nlohmann::json::parse(metadata, nullptr, false)}};
    }
    return nlohmann::json{{"runtime", "rivetkit"},
                          {"version", options_.version},
                          {"runner", {{"version", options_.base.version}}},
                          {"actorNames", names}}
        .dump();
  }

  void ServeStart(const net::ServerRequest& request, net::ServerResponse& response) {
    absl::StatusOr<ServerlessStart> start = ServerlessStart::FromHeaders(request.headers);
    if (!start.ok()) return Refuse(response, 400, start.status());
    if (!options_.expected_namespace.empty() && start->namespace_name != options_.expected_namespace) {
      return Refuse(response, 400, absl::PermissionDeniedError("this endpoint serves namespace \"" +
                                                                options_.expected_namespace + "\" only"));
    }
    RunnerConfig config = start->Configure(options_.base);
    if (!options_.connect_endpoint.empty()) config.endpoint = options_.connect_endpoint;
    absl::StatusOr<std::unique_ptr<Runner>> runner = Runner::Create(std::move(config));
    if (!runner.ok()) return Refuse(response, 400, runner.status());
    register_actors_(**runner);
    if (!Track(runner->get())) {
      return Refuse(response, 503, absl::ResourceExhaustedError("this endpoint runs its maximum of runners"));
    }
    Stream(**runner, response);
    Untrack(runner->get());
  }

  // Connects first, so that a runner that cannot connect is a 5xx the engine backs off from.
  void Stream(Runner& runner, net::ServerResponse& response) {
    if (absl::Status started = runner.Start(); !started.ok()) return Refuse(response, 500, started);
    const auto deadline = std::chrono::steady_clock::now() + kConnectTimeout;
    while (runner.runner_id().empty()) {
      if (std::optional<absl::Status> ended = runner.WaitFor(std::chrono::milliseconds(20))) {
        return Refuse(response, 500, ended->ok() ? absl::CancelledError("the runner stopped") : *ended);
      }
      if (std::chrono::steady_clock::now() > deadline) {
        runner.Stop();
        (void)runner.Wait();
        return Refuse(response, 500, absl::DeadlineExceededError("the engine did not accept the runner in time"));
      }
    }
    if (!response.StartStream(200, "text/event-stream") ||
        !response.Write("data: " + ServerlessInitEventData(runner.runner_id()) + "\n\n")) {
      runner.Stop();
    }
    // Keepalives until the runner stops; a failed write means the engine ended the request
    // (its lifespan is over), which drains the runner.
    while (!runner.WaitFor(options_.keepalive_interval).has_value()) {
      if (!response.Write("event: ping\ndata:\n\n")) runner.Stop();
    }
  }

  static void Refuse(net::ServerResponse& response, int status, const absl::Status& why) {
    log::Write(LogLevel::kWarn, "refused a serverless start", {{"status", std::to_string(status)},
                                                               {"error", std::string(why.message())}});
    response.Respond(status, "text/plain", std::string(why.message()) + "\n");
  }

  bool Track(Runner* runner) {
    std::lock_guard lock(mutex_);
    if (stopping_ || static_cast<int>(runners_.size()) >= options_.max_runners) return false;
    runners_.insert(runner);
    return true;
  }
  void Untrack(Runner* runner) {
    std::lock_guard lock(mutex_);
    runners_.erase(runner);
  }

  const ServerlessOptions options_;
  const std::function<void(Runner&)> register_actors_;
  std::unique_ptr<net::HttpServer> http_;
  std::mutex mutex_;
  bool stopping_ = false;
  std::set<Runner*> runners_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ServerlessServer>> ServerlessServer::Start(ServerlessOptions options,
                                                                         std::function<void(Runner&)> register_actors) {
  if (absl::Status valid = options.base.Validate(); !valid.ok()) return valid;
  auto server = std::make_unique<Server>(std::move(options), std::move(register_actors));
  if (absl::Status listening = server->Listen(); !listening.ok()) return listening;
  return server;
}

}  // namespace tether
