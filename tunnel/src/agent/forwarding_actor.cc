#include "agent/forwarding_actor.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/agent_log.h"
#include "agent/forwarding_headers.h"
#include "agent/websocket_bridge.h"
#include "string_view_conversion.h"

namespace tether::agent {
namespace {

// The upstream's answer to a WebSocket upgrade that opts the socket into hibernation.
constexpr char kHibernateHeader[] = "x-tether-hibernate";
// Sent upstream with every WebSocket upgrade, and on the reopening of a hibernated socket.
constexpr char kSocketIdHeader[] = "x-rivet-websocket-id";
constexpr char kResumedHeader[] = "x-tether-resumed";
constexpr char kErrorHeader[] = "x-rivet-error";
constexpr std::uint16_t kGoingAway = 1001;
constexpr std::uint16_t kInternalError = 1011;

bool HeaderIsTrue(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value == "1" || absl::EqualsIgnoreCase(ToAbsl(value), "true");
  }
  return false;
}

std::shared_ptr<WebSocket> FindSocket(const Actor& actor, const std::string& id) {
  for (std::shared_ptr<WebSocket>& socket : actor.WebSockets()) {
    if (socket->id() == id) return socket;
  }
  return nullptr;
}

// Lets other threads run work on the actor's executor while the actor runs, and drops it after:
// the Actor& is valid only until OnStop returns.
class ActorMailbox : public std::enable_shared_from_this<ActorMailbox> {
 public:
  void Open(Actor& actor) {
    std::lock_guard lock(mutex_);
    actor_ = &actor;
  }
  void Shut() {
    std::lock_guard lock(mutex_);
    actor_ = nullptr;
  }
  void Post(std::function<void(Actor&)> fn) {
    std::lock_guard lock(mutex_);
    if (actor_ == nullptr) return;
    actor_->Post([self = shared_from_this(), fn = std::move(fn)] {
      Actor* actor = nullptr;
      {
        std::lock_guard running_lock(self->mutex_);
        actor = self->actor_;
      }
      if (actor != nullptr) fn(*actor);
    });
  }

 private:
  std::mutex mutex_;
  Actor* actor_ = nullptr;  // guarded by mutex_
};

struct SocketEntry {
  std::shared_ptr<WebSocketBridge> bridge;
  bool hibernatable = false;
};
// The actor's bridges by socket id. Executor only; shared so that posted work can reach it
// after the instance is gone.
using SocketTable = std::map<std::string, SocketEntry>;

// Counts a request as in flight for as long as it lives.
class InFlight {
 public:
  InFlight(AgentMetrics& metrics, ActorActivity& activity) : metrics_(metrics), activity_(activity) {
    metrics_.http_in_flight.Add(1);
    activity_.requests_in_flight.fetch_add(1);
    activity_.Touch();
  }
  ~InFlight() {
    activity_.Touch();
    activity_.requests_in_flight.fetch_sub(1);
    metrics_.http_in_flight.Add(-1);
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  AgentMetrics& metrics_;
  ActorActivity& activity_;
};

HttpResponse ErrorResponse(std::uint16_t status, std::string_view code, std::string_view text) {
  return {status, {{kErrorHeader, std::string(code)}, {"content-type", "text/plain; charset=utf-8"}},
          absl::StrCat(ToAbsl(text), "\n")};
}

class ForwardingActor final : public ActorInstance {
 public:
  explicit ForwardingActor(ForwardingServices services) : services_(services) {}

  absl::Status OnStart(Actor& actor) override {
    mailbox_->Open(actor);
    activity_->Touch();
    services_.directory.Add(actor, activity_);
    services_.metrics.actors.Add(1);
    services_.metrics.actor_starts.Add(1);
    if (const std::size_t restored = actor.WebSockets().size(); restored > 0) {
      AgentLog(LogLevel::kDebug, "hibernated WebSockets are back; each reopens upstream on its next message",
               {{"actor_id", actor.info().actor_id}, {"sockets", std::to_string(restored)}});
    }
    return absl::OkStatus();
  }

  // The app set the alarm through the sidecar and hears of it there (WatchActors).
  void OnAlarm(Actor& actor) override { services_.directory.NotifyAlarm(actor); }

  void OnStop(Actor& actor) override {
    services_.directory.Remove(actor);
    mailbox_->Shut();
    // A hibernatable client stays connected through the engine; its upstream socket reopens
    // when a message wakes the actor.
    for (auto& [id, entry] : *sockets_) {
      entry.bridge->CloseUpstream(kGoingAway, entry.hibernatable ? "tether.hibernating" : "actor.stopped");
    }
    sockets_->clear();
    services_.metrics.actors.Add(-1);
    services_.metrics.actor_stops.Add(1);
  }

  HttpResponse OnFetch(Actor& actor, const HttpRequest& request) override {
    const InFlight in_flight(services_.metrics, *activity_);
    services_.metrics.bytes_to_upstream.Add(request.body.size());
    UpstreamHttpRequest upstream{request.method, services_.upstream.HttpBase() + Target(request.path),
                                 UpstreamRequestHeaders(request.headers, actor.info()), request.body};
    absl::StatusOr<UpstreamHttpResponse> result = services_.http.Send(std::move(upstream)).get();
    HttpResponse response;
    if (result.ok()) {
      services_.metrics.bytes_from_upstream.Add(result->body.size());
      response = {result->status, ClientResponseHeaders(result->headers), std::move(result->body)};
    } else {
      response = Failure(actor, result.status());
    }
    services_.metrics.CountResponse(response.status);
    return response;
  }

  WebSocketAcceptance OnWebSocketOpen(Actor& actor, WebSocket& socket) override {
    activity_->Touch();
    absl::StatusOr<SocketEntry> opened = OpenUpstream(actor, socket, /*resumed=*/false);
    if (!opened.ok()) {
      const bool refused = opened.status().code() == absl::StatusCode::kFailedPrecondition;
      return {false, false, kInternalError, refused ? "tether.upstream_refused" : "tether.upstream_unavailable"};
    }
    // The runner lists the socket right after this returns; the bridge reaches it from then on.
    mailbox_->Post([bridge = opened->bridge, id = socket.id()](Actor& running) {
      if (std::shared_ptr<WebSocket> client = FindSocket(running, id)) {
        bridge->Attach(std::move(client));
      } else {
        bridge->CloseUpstream(kGoingAway, "tether.client_gone");
      }
    });
    return {.accept = true, .hibernatable = opened->hibernatable};
  }

  void OnWebSocketMessage(Actor& actor, WebSocket& socket, const std::string& data, bool binary) override {
    activity_->Touch();
    auto found = sockets_->find(socket.id());
    if (found == sockets_->end()) {
      // A hibernated socket that woke its actor up: its upstream socket reopens first.
      if (!socket.hibernatable()) return;
      absl::StatusOr<SocketEntry> opened = OpenUpstream(actor, socket, /*resumed=*/true);
      std::shared_ptr<WebSocket> client = FindSocket(actor, socket.id());
      if (!opened.ok() || client == nullptr) {
        if (opened.ok()) opened->bridge->CloseUpstream(kGoingAway, "tether.client_gone");
        socket.Close(kInternalError, "tether.upstream_unavailable");
        return;
      }
      opened->bridge->Attach(std::move(client));
      found = sockets_->find(socket.id());
    }
    found->second.bridge->ToUpstream(data, binary);
  }

  void OnWebSocketClose(Actor& /*actor*/, WebSocket& socket, std::uint16_t code, const std::string& reason) override {
    activity_->Touch();
    const auto found = sockets_->find(socket.id());
    if (found == sockets_->end()) return;
    found->second.bridge->CloseUpstream(code, reason);
    sockets_->erase(found);
  }

 private:
  std::string Target(const std::string& path) const {
    return path.starts_with("/") ? path : absl::StrCat("/", path);
  }

  HttpResponse Failure(const Actor& actor, const absl::Status& error) {
    AgentLog(LogLevel::kWarn, "upstream request failed",
             {{"actor_id", actor.info().actor_id}, {"error", std::string(error.message())}});
    switch (error.code()) {
      case absl::StatusCode::kDeadlineExceeded:
        services_.metrics.upstream_timeouts.Add();
        return ErrorResponse(504, "tether.upstream_timeout", "the upstream app did not answer in time");
      case absl::StatusCode::kResourceExhausted:
        return ErrorResponse(502, "tether.upstream_response_too_large", "the upstream app's response is too large");
      case absl::StatusCode::kCancelled:
        return ErrorResponse(503, "tether.agent_stopping", "the agent is stopping");
      default:
        services_.metrics.upstream_unavailable.Add();
        return ErrorResponse(502, "tether.upstream_unavailable", "the upstream app is unavailable");
    }
  }

  // Opens the upstream socket for `socket` and lists its bridge.
  absl::StatusOr<SocketEntry> OpenUpstream(const Actor& actor, const WebSocket& socket, bool resumed) {
    const HttpRequest& request = socket.request();
    UpstreamSocketRequest upstream{services_.upstream.host, services_.upstream.port,
                                   services_.upstream.path_prefix + Target(request.path),
                                   UpstreamRequestHeaders(request.headers, actor.info())};
    upstream.headers.emplace_back(kSocketIdHeader, socket.id());
    if (resumed) upstream.headers.emplace_back(kResumedHeader, "1");
    if (std::string protocols = UpstreamSubprotocols(request.headers); !protocols.empty()) {
      upstream.headers.emplace_back("sec-websocket-protocol", std::move(protocols));
    }
    // The bridge tells the actor when the upstream closed on its own, to forget it.
    auto on_finished = [mailbox = mailbox_, sockets = sockets_, id = socket.id()] {
      mailbox->Post([sockets, id](Actor&) {
        const auto found = sockets->find(id);
        if (found != sockets->end() && found->second.bridge->finished()) sockets->erase(found);
      });
    };
    auto bridge = std::make_shared<WebSocketBridge>(services_.metrics, activity_, std::move(on_finished));
    absl::StatusOr<OpenedUpstreamSocket> opened = services_.websockets.Open(std::move(upstream), bridge);
    if (!opened.ok()) {
      AgentLog(LogLevel::kWarn, resumed ? "cannot reopen the upstream WebSocket" : "cannot open the upstream WebSocket",
               {{"actor_id", actor.info().actor_id}, {"path", request.path}, {"error", std::string(opened.status().message())}});
      return opened.status();
    }
    // A resumed socket hibernates already; a new one does if the upstream asks for it.
    const bool hibernatable = resumed || HeaderIsTrue(opened->response_headers, kHibernateHeader);
    bridge->Connect(std::move(opened->socket), /*pinning=*/!hibernatable);
    services_.metrics.websockets_opened.Add();
    if (resumed) services_.metrics.websockets_resumed.Add();
    SocketEntry entry{std::move(bridge), hibernatable};
    (*sockets_)[socket.id()] = entry;
    return entry;
  }

  const ForwardingServices services_;
  const std::shared_ptr<ActorMailbox> mailbox_ = std::make_shared<ActorMailbox>();
  const std::shared_ptr<SocketTable> sockets_ = std::make_shared<SocketTable>();
  const std::shared_ptr<ActorActivity> activity_ = std::make_shared<ActorActivity>();
};

}  // namespace

ActorFactory ForwardingActorFactory(ForwardingServices services) {
  return [services](const ActorInfo&) { return std::make_unique<ForwardingActor>(services); };
}

}  // namespace tether::agent
