#include "link/engine_link.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "log.h"

namespace tether::link {
namespace {

namespace v7 = proto::v7;

constexpr int kProtocolVersion = 7;
// The engine waits 5 s for Init after the upgrade; we wait as long for its answer.
constexpr std::chrono::milliseconds kInitTimeout{10000};

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

}  // namespace

EngineLink::EngineLink(net::EventLoop& loop, const RunnerConfig& config, std::string runner_key,
                       std::map<std::string, std::string> actor_names, LinkHandler& handler)
    : loop_(loop),
      config_(config),
      endpoint_(*ParseEndpoint(config.endpoint)),
      namespace_name_(endpoint_.namespace_name.empty() ? config.namespace_name : endpoint_.namespace_name),
      token_(endpoint_.token.empty() ? config.token : endpoint_.token),
      runner_key_(std::move(runner_key)),
      actor_names_(std::move(actor_names)),
      handler_(handler) {}

EngineLink::~EngineLink() = default;

void EngineLink::Start() {
  last_ready_ = std::chrono::steady_clock::now();
  Connect();
}

std::string EngineLink::Url() const {
  return absl::StrCat(endpoint_.WebSocketBase(), "/runners/connect?protocol_version=", kProtocolVersion,
                      "&namespace=", UrlEncode(namespace_name_), "&runner_key=", UrlEncode(runner_key_));
}

void EngineLink::Connect() {
  state_ = State::kConnecting;
  net::WebSocketOptions options;
  options.url = Url();
  // The token travels only as a subprotocol, which is how the engine reads it (and keeps it out of
  // URLs that proxies log). Guard answers with `rivet`, so it must be offered too.
  options.subprotocols = {"rivet"};
  if (!token_.empty()) options.subprotocols.push_back("rivet_token." + token_);
  options.tls = config_.tls;
  log::Write(LogLevel::kDebug, "connecting to the engine",
             {{"url", options.url}, {"attempt", std::to_string(attempt_)}});
  connection_ = loop_.Connect(std::move(options), this);
}

void EngineLink::OnOpen() {
  state_ = State::kAwaitingInit;
  v7::ToServerInit init;
  init.name = config_.runner_name;
  init.version = config_.version;
  init.total_slots = config_.total_slots;
  auto& names = init.prepopulate_actor_names.emplace();
  for (const auto& [name, metadata] : actor_names_) names.emplace_back(name, v7::ActorName{metadata});
  if (!config_.metadata_json.empty()) init.metadata = config_.metadata_json;
  absl::StatusOr<bare::Bytes> frame = bare::Encode(v7::ToServer{std::move(init)});
  if (!frame.ok()) {
    Stop(absl::InvalidArgumentError(absl::StrCat("cannot encode Init: ", frame.status().message())), {});
    return;
  }
  connection_->Send(*std::move(frame));
  init_timer_ = loop_.RunAfter(kInitTimeout, [this] {
    if (state_ == State::kAwaitingInit) connection_->Close(1000, "init timeout");
  });
}

bool EngineLink::Send(const v7::ToServer& message) {
  if (state_ != State::kReady) return false;
  absl::StatusOr<bare::Bytes> frame = bare::Encode(message);
  if (!frame.ok()) {
    log::Write(LogLevel::kError, "dropping a message that cannot be encoded",
               {{"error", std::string(frame.status().message())}});
    return false;
  }
  connection_->Send(*std::move(frame));
  return true;
}

void EngineLink::OnMessage(std::span<const std::uint8_t> data, bool binary) {
  if (!binary) return;  // the engine sends only binary frames; anything else is not protocol
  absl::StatusOr<v7::ToClient> message = bare::Decode<v7::ToClient>(data);
  if (!message.ok()) {
    // A frame we cannot read means the two sides disagree on the protocol; keep the connection
    // (the next frames may be fine) but say exactly what was wrong.
    log::Write(LogLevel::kError, "cannot decode a frame from the engine",
               {{"error", std::string(message.status().message())}, {"bytes", std::to_string(data.size())}});
    return;
  }
  if (const auto* ping = std::get_if<v7::ToClientPing>(&*message)) {
    // Answered here, on the network thread, so busy actors never delay it.
    if (state_ == State::kReady) Send(v7::ToServer{v7::ToServerPong{ping->ts}});
    return;
  }
  if (const auto* init = std::get_if<v7::ToClientInit>(&*message)) {
    if (state_ != State::kAwaitingInit) return;  // a second Init changes nothing
    init_timer_.reset();
    state_ = State::kReady;
    attempt_ = 0;  // only a successful Init proves the configuration works
    last_ready_ = std::chrono::steady_clock::now();
    handler_.OnConnected(*init);
    return;
  }
  if (state_ == State::kReady) handler_.OnMessage(*std::move(message));
}

void EngineLink::ReleaseConnection() {
  // OnClosed runs inside the connection's own callback: destroy it after that returns.
  std::shared_ptr<net::WebSocketConnection> closed(std::move(connection_));
  loop_.Post([closed] {});
}

void EngineLink::OnClosed(const net::CloseInfo& info) {
  init_timer_.reset();
  ReleaseConnection();
  if (state_ == State::kStopped) return;
  const bool was_ready = state_ == State::kReady;
  const bool before_init = state_ == State::kConnecting || state_ == State::kAwaitingInit;
  const State previous = state_;
  if (was_ready) handler_.OnDisconnected(static_cast<std::uint16_t>(info.code), info.reason);
  if (previous == State::kClosing) {
    Stop(absl::OkStatus(), ParseCloseReason(info.code, info.reason));
    return;
  }
  if (info.code == 0) {
    Retry(std::string(info.error.message()));
    return;
  }
  const CloseReason reason = ParseCloseReason(info.code, info.reason);
  switch (Classify(reason, before_init)) {
    case CloseKind::kFatal:
      Stop(absl::FailedPreconditionError(Explain(reason, namespace_name_)), reason);
      return;
    case CloseKind::kEvicted:
      Stop(absl::AbortedError(Explain(reason, namespace_name_)), reason);
      return;
    case CloseKind::kGoingAway:
      attempt_ = 0;
      Retry(Explain(reason, namespace_name_));
      return;
    case CloseKind::kTransient:
      Retry(Explain(reason, namespace_name_));
      return;
  }
}

void EngineLink::Retry(const std::string& cause) {
  const auto now = std::chrono::steady_clock::now();
  if (config_.reconnect.give_up_after && now - last_ready_ > *config_.reconnect.give_up_after) {
    Stop(absl::UnavailableError(absl::StrCat("gave up reconnecting after ",
                                             config_.reconnect.give_up_after->count(), " ms; last error: ", cause)),
         {});
    return;
  }
  // 1 s, 2 s, 4 s ... up to the maximum, plus up to 25 % jitter so runners don't reconnect in step.
  const double base = std::min<double>(static_cast<double>(config_.reconnect.max_delay.count()),
                                       static_cast<double>(config_.reconnect.initial_delay.count()) *
                                           std::pow(2.0, std::min(attempt_, 30)));
  const double jitter = std::uniform_real_distribution<double>(0.0, 0.25)(random_);
  const auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(base * (1.0 + jitter)));
  ++attempt_;
  log::Write(LogLevel::kWarn, "engine connection failed; reconnecting",
             {{"cause", cause}, {"retry_in_ms", std::to_string(delay.count())}});
  state_ = State::kWaitingToRetry;
  retry_timer_ = loop_.RunAfter(delay, [this] {
    retry_timer_.reset();
    Connect();
  });
}

void EngineLink::Close() {
  switch (state_) {
    case State::kConnecting:
    case State::kAwaitingInit:
    case State::kReady:
      state_ = State::kClosing;
      connection_->Close(1000, "pegboard.runner_shutdown");
      return;
    case State::kIdle:
    case State::kWaitingToRetry:
      retry_timer_.reset();
      Stop(absl::OkStatus(), {});
      return;
    case State::kClosing:
    case State::kStopped:
      return;
  }
}

void EngineLink::Stop(const absl::Status& why, const CloseReason& reason) {
  state_ = State::kStopped;
  retry_timer_.reset();
  init_timer_.reset();
  if (connection_ != nullptr) connection_->Close(1000, "pegboard.runner_shutdown");
  if (!why.ok()) {
    log::Write(LogLevel::kError, "runner stopped: engine link failed", {{"error", std::string(why.message())}});
  }
  handler_.OnStopped(why, reason);
}

}  // namespace tether::link
