// bench-load: the client load of every throughput and memory scenario, on one thread over
// loopback (Boost.Beast, kept in this one translation unit because each Beast TU costs 20-40 s
// to compile).
//
//   bench-load ws   --port P --target /gateway/ID/ws [--connections N --window W --size B
//                    --warmup-ms T --duration-ms T --max-ops N]
//   bench-load http --port P --target /gateway/ID/echo [--connections N --size B ...]
//   bench-load hold --port P --target /gateway/ID/ws --connections N
//
// ws: N WebSockets each keep W binary messages of B bytes in flight and time every echo.
// http: N keep-alive connections each send POST requests with a B-byte body, one at a time.
// hold: opens N WebSockets, checks each with one echo, and holds them open.
//
// Talks to the driver on stdin/stdout so the driver can read the other processes' CPU exactly
// around the measured window: after connecting (and a warm-up) it prints "ready", waits for a line
// on stdin, runs the measured phase, prints one JSON line and exits. Every wait is bounded.
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "common/flags.h"
#include "common/stats.h"

namespace tether::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kConnectTimeout{120000};
constexpr milliseconds kDrainTimeout{15000};
constexpr milliseconds kGoTimeout{600000};
constexpr int kConcurrentHandshakes = 32;

struct Settings {
  std::string mode;
  unsigned short port = 0;
  std::string target;
  int connections = 1;
  int window = 1;
  std::size_t size = 32;
  milliseconds warmup{1000};
  milliseconds duration{5000};
  std::int64_t max_ops = 1'000'000;
};

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

double ProcessCpuSeconds() {
  timespec cpu{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
  return static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) * 1e-9;
}

// What all clients of the process share: whether to start operations, and what completed.
struct Phase {
  bool sending = false;
  bool measuring = false;
  std::int64_t max_started = 0;  // cap on operations started while measuring
  std::int64_t started = 0;
  std::int64_t in_flight = 0;
  std::int64_t completed = 0;
  std::int64_t errors = 0;
  std::string first_error;
  std::int64_t last_completion_ns = 0;
  std::vector<double> rtt_us;

  bool CanStart() const { return sending && (!measuring || started < max_started); }
  void OnStart() {
    ++in_flight;
    if (measuring) ++started;
  }
  void OnComplete(std::int64_t sent_ns) {
    --in_flight;
    const std::int64_t now = NowNs();
    if (!measuring) return;
    ++completed;
    last_completion_ns = now;
    rtt_us.push_back(static_cast<double>(now - sent_ns) / 1000.0);
  }
  void OnError(std::string_view what, const beast::error_code& ec) {
    if (errors++ == 0) first_error = std::string(what) + ": " + ec.message();
  }
};

// Runs `io` until `done()` or `timeout`; false on timeout. Clients always keep a read pending,
// so the context never runs out of work while they live.
bool RunUntil(asio::io_context& io, milliseconds timeout, const std::function<bool()>& done) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_for(milliseconds(2));
  }
  return true;
}

tcp::endpoint Loopback(unsigned short port) { return {asio::ip::make_address_v4("127.0.0.1"), port}; }

// One WebSocket keeping up to `window` messages in flight (each carries its send time), or with
// `budget` >= 0 sending only that many in total.
class WsClient : public std::enable_shared_from_this<WsClient> {
 public:
  WsClient(asio::io_context& io, Phase& phase, const Settings& settings, std::int64_t budget)
      : ws_(io), phase_(phase), settings_(settings), budget_(budget) {}

  void Connect(std::function<void()> done) {
    auto self = shared_from_this();
    beast::get_lowest_layer(ws_).async_connect(Loopback(settings_.port), [self, done](beast::error_code ec) {
      if (ec) return self->Fail("connect", ec, done);
      beast::get_lowest_layer(self->ws_).socket().set_option(tcp::no_delay(true));
      self->ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
        request.set(http::field::sec_websocket_protocol, "rivet");
      }));
      self->ws_.binary(true);
      self->ws_.async_handshake("127.0.0.1:" + std::to_string(self->settings_.port), self->settings_.target,
                                [self, done](beast::error_code handshake_ec) {
                                  if (handshake_ec) return self->Fail("handshake", handshake_ec, done);
                                  self->connected_ = true;
                                  self->Read();
                                  done();
                                });
    });
  }

  // Starts sends up to the window, if the phase allows.
  void Pump() {
    if (failed_ || writing_ || !connected_ || in_flight_ >= settings_.window || budget_ == 0 || !phase_.CanStart()) {
      return;
    }
    if (budget_ > 0) --budget_;
    writing_ = true;
    ++in_flight_;
    phase_.OnStart();
    out_.assign(settings_.size < 8 ? 8 : settings_.size, 'x');
    const std::int64_t now = NowNs();
    std::memcpy(out_.data(), &now, sizeof(now));
    auto self = shared_from_this();
    ws_.async_write(asio::buffer(out_), [self](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) return self->Fail("write", ec, nullptr);
      self->Pump();
    });
  }

  void Close() {
    if (failed_ || !connected_) return;
    connected_ = false;
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {});
  }

 private:
  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      if (connected_) Fail("read", ec, nullptr);  // not after our own Close()
      return;
    }
    std::int64_t sent_ns = 0;
    if (buffer_.size() >= sizeof(sent_ns)) std::memcpy(&sent_ns, buffer_.data().data(), sizeof(sent_ns));
    buffer_.consume(buffer_.size());
    --in_flight_;
    phase_.OnComplete(sent_ns);
    Read();
    Pump();
  }

  void Fail(std::string_view what, beast::error_code ec, const std::function<void()>& done) {
    if (!failed_) {
      failed_ = true;
      phase_.in_flight -= in_flight_;
      in_flight_ = 0;
      phase_.OnError(what, ec);
    }
    if (done) done();
  }

  websocket::stream<beast::tcp_stream> ws_;
  Phase& phase_;
  const Settings& settings_;
  std::int64_t budget_;
  beast::flat_buffer buffer_;
  std::string out_;
  int in_flight_ = 0;
  bool writing_ = false;
  bool connected_ = false;
  bool failed_ = false;
};

// One keep-alive HTTP/1.1 connection sending POST requests one at a time; a reply counts when it
// is 200 with the body echoed.
class HttpClient : public std::enable_shared_from_this<HttpClient> {
 public:
  HttpClient(asio::io_context& io, Phase& phase, const Settings& settings)
      : stream_(io), phase_(phase), settings_(settings) {
    request_.method(http::verb::post);
    request_.target(settings.target);
    request_.version(11);
    request_.set(http::field::host, "127.0.0.1:" + std::to_string(settings.port));
    request_.set(http::field::content_type, "application/octet-stream");
    request_.keep_alive(true);
    request_.body().assign(settings.size, 'x');
    request_.prepare_payload();
  }

  void Connect(std::function<void()> done) {
    stream_.async_connect(Loopback(settings_.port), [self = shared_from_this(), done](beast::error_code ec) {
      if (ec) {
        self->Fail("connect", ec);
      } else {
        self->stream_.socket().set_option(tcp::no_delay(true));
        self->connected_ = true;
      }
      done();
    });
  }

  void Pump() {
    if (failed_ || busy_ || !connected_ || !phase_.CanStart()) return;
    busy_ = true;
    phase_.OnStart();
    sent_ns_ = NowNs();
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->Fail("write", ec);
      self->response_ = {};
      http::async_read(self->stream_, self->buffer_, self->response_,
                       [self](beast::error_code read_ec, std::size_t) { self->OnResponse(read_ec); });
    });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

 private:
  void OnResponse(beast::error_code ec) {
    if (ec) return Fail("read", ec);
    if (response_.result_int() != 200 || response_.body().size() != settings_.size) {
      return Fail("response", beast::error_code(EPROTO, beast::system_category()));
    }
    busy_ = false;
    phase_.OnComplete(sent_ns_);
    if (!response_.keep_alive()) return Fail("server closed keep-alive", beast::error_code(ECONNRESET, beast::system_category()));
    Pump();
  }

  void Fail(std::string_view what, beast::error_code ec) {
    if (failed_) return;
    failed_ = true;
    if (busy_) --phase_.in_flight;
    phase_.OnError(what, ec);
  }

  beast::tcp_stream stream_;
  Phase& phase_;
  const Settings& settings_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
  std::int64_t sent_ns_ = 0;
  bool busy_ = false;
  bool connected_ = false;
  bool failed_ = false;
};

// Connects every client with at most kConcurrentHandshakes in progress (the engine's gateway
// handles a burst of hundreds of upgrades poorly).
template <typename Client>
bool ConnectAll(asio::io_context& io, std::vector<std::shared_ptr<Client>>& clients) {
  std::size_t next = 0;
  std::size_t finished = 0;
  std::function<void()> start_next = [&] {
    if (next >= clients.size()) return;
    clients[next++]->Connect([&] {
      ++finished;
      start_next();
    });
  };
  for (int i = 0; i < kConcurrentHandshakes; ++i) start_next();
  return RunUntil(io, kConnectTimeout, [&] { return finished == clients.size(); });
}

// Prints "ready" and runs `io` until a line (or EOF) arrives on stdin.
bool WaitForGo(asio::io_context& io) {
  std::printf("ready\n");
  std::fflush(stdout);
  bool go = false;
  return RunUntil(io, kGoTimeout, [&] {
    pollfd in{STDIN_FILENO, POLLIN, 0};
    if (::poll(&in, 1, 0) > 0) {
      char line[64];
      go = ::read(STDIN_FILENO, line, sizeof(line)) >= 0;
    }
    return go;
  });
}

template <typename Client>
void PumpAll(std::vector<std::shared_ptr<Client>>& clients) {
  for (auto& client : clients) client->Pump();
}

// The measured phase of ws and http: ops for `duration` (or `max_ops`), then waits for the
// replies in flight. Returns the result line.
template <typename Client>
nlohmann::json Measure(asio::io_context& io, Phase& phase, const Settings& settings,
                       std::vector<std::shared_ptr<Client>>& clients) {
  phase.rtt_us.reserve(static_cast<std::size_t>(std::min<std::int64_t>(settings.max_ops, 4'000'000)));
  phase.max_started = settings.max_ops;
  phase.measuring = true;
  phase.sending = true;
  const double cpu_before = ProcessCpuSeconds();
  const std::int64_t start_ns = NowNs();
  phase.last_completion_ns = start_ns;
  PumpAll(clients);
  RunUntil(io, settings.duration, [&] { return phase.started >= phase.max_started && phase.in_flight == 0; });
  phase.sending = false;
  const bool drained = RunUntil(io, kDrainTimeout, [&] { return phase.in_flight <= 0; });
  const double cpu_after = ProcessCpuSeconds();
  const double seconds = static_cast<double>(phase.last_completion_ns - start_ns) * 1e-9;
  const std::int64_t completed = phase.completed;
  nlohmann::json result = {{"ops", completed},
                           {"seconds", seconds},
                           {"ops_per_second", seconds > 0 ? static_cast<double>(completed) / seconds : 0.0},
                           {"p50_us", Quantile(phase.rtt_us, 0.50)},
                           {"p99_us", Quantile(phase.rtt_us, 0.99)},
                           {"cpu_seconds", cpu_after - cpu_before},
                           {"errors", phase.errors + (drained ? 0 : 1)},
                           {"first_error", drained ? phase.first_error : "replies still in flight after the drain timeout"}};
  return result;
}

// Sends nothing measured: runs ops for the warm-up time so both runners (Node's JIT especially)
// reach steady state, then waits for the replies in flight.
template <typename Client>
void WarmUp(asio::io_context& io, Phase& phase, const Settings& settings, std::vector<std::shared_ptr<Client>>& clients) {
  if (settings.warmup.count() <= 0) return;
  phase.sending = true;
  PumpAll(clients);
  RunUntil(io, settings.warmup, [] { return false; });
  phase.sending = false;
  RunUntil(io, kDrainTimeout, [&] { return phase.in_flight <= 0; });
}

template <typename Client>
void CloseAll(asio::io_context& io, std::vector<std::shared_ptr<Client>>& clients) {
  for (auto& client : clients) client->Close();
  io.run_for(milliseconds(200));
}

void PrintResult(const nlohmann::json& result) {
  std::printf("%s\n", result.dump().c_str());
  std::fflush(stdout);
}

nlohmann::json ConnectError(const Phase& phase) {
  return {{"errors", std::max<std::int64_t>(phase.errors, 1)},
          {"first_error", phase.first_error.empty() ? "connect timed out" : phase.first_error}};
}

int RunWs(const Settings& settings, bool hold) {
  asio::io_context io;
  Phase phase;
  std::vector<std::shared_ptr<WsClient>> clients;
  for (int i = 0; i < settings.connections; ++i) {
    clients.push_back(std::make_shared<WsClient>(io, phase, settings, hold ? 1 : -1));
  }
  if (!ConnectAll(io, clients) || phase.errors > 0) {
    PrintResult(ConnectError(phase));
    return 1;
  }
  if (hold) {
    // One echo per socket proves the actor has it (the gateway upgrades before the actor decides).
    phase.measuring = true;
    phase.max_started = settings.connections;
    phase.sending = true;
    PumpAll(clients);
    const bool echoed = RunUntil(io, kConnectTimeout, [&] { return phase.completed + phase.errors >= settings.connections; });
    if (!echoed || phase.errors > 0) {
      PrintResult(ConnectError(phase));
      return 1;
    }
    WaitForGo(io);
    PrintResult({{"ops", phase.completed}, {"errors", phase.errors}, {"first_error", phase.first_error}});
  } else {
    WarmUp(io, phase, settings, clients);
    WaitForGo(io);
    PrintResult(Measure(io, phase, settings, clients));
  }
  CloseAll(io, clients);
  return 0;
}

int RunHttp(const Settings& settings) {
  asio::io_context io;
  Phase phase;
  std::vector<std::shared_ptr<HttpClient>> clients;
  for (int i = 0; i < settings.connections; ++i) clients.push_back(std::make_shared<HttpClient>(io, phase, settings));
  if (!ConnectAll(io, clients) || phase.errors > 0) {
    PrintResult(ConnectError(phase));
    return 1;
  }
  WarmUp(io, phase, settings, clients);
  WaitForGo(io);
  PrintResult(Measure(io, phase, settings, clients));
  CloseAll(io, clients);
  return 0;
}

// Holding 1,000 sockets needs more descriptors than the usual soft limit of 1,024.
void RaiseFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

absl::StatusOr<Settings> ParseSettings(int argc, char** argv) {
  if (argc < 2) return absl::InvalidArgumentError("usage: bench-load ws|http|hold --port P --target PATH [...]");
  Settings settings;
  settings.mode = argv[1];
  if (settings.mode != "ws" && settings.mode != "http" && settings.mode != "hold") {
    return absl::InvalidArgumentError("mode must be ws, http or hold, got '" + settings.mode + "'");
  }
  absl::StatusOr<Flags> flags = Flags::Parse(argc - 1, argv + 1);
  if (!flags.ok()) return flags.status();
  if (absl::Status known = flags->CheckKnown({"port", "target", "connections", "window", "size", "warmup-ms",
                                              "duration-ms", "max-ops"});
      !known.ok()) {
    return known;
  }
  const auto get = [&](const char* name, std::int64_t fallback, std::int64_t min, std::int64_t max,
                       std::int64_t& out) -> absl::Status {
    absl::StatusOr<std::int64_t> value = flags->GetInt(name, fallback);
    if (!value.ok()) return value.status();
    if (*value < min || *value > max) {
      return absl::InvalidArgumentError(std::string("--") + name + " out of range [" + std::to_string(min) + ", " +
                                        std::to_string(max) + "]");
    }
    out = *value;
    return absl::OkStatus();
  };
  std::int64_t port = 0, connections = 0, window = 0, size = 0, warmup = 0, duration = 0;
  for (absl::Status status : {get("port", 0, 1, 65535, port), get("connections", 1, 1, 20000, connections),
                              get("window", 1, 1, 1024, window), get("size", 32, 8, 1 << 20, size),
                              get("warmup-ms", 1000, 0, 600000, warmup), get("duration-ms", 5000, 1, 600000, duration),
                              get("max-ops", 1'000'000, 1, 100'000'000, settings.max_ops)}) {
    if (!status.ok()) return status;
  }
  settings.port = static_cast<unsigned short>(port);
  settings.connections = static_cast<int>(connections);
  settings.window = static_cast<int>(window);
  settings.size = static_cast<std::size_t>(size);
  settings.warmup = milliseconds(warmup);
  settings.duration = milliseconds(duration);
  settings.target = flags->GetString("target", "/");
  return settings;
}

}  // namespace
}  // namespace tether::bench

int main(int argc, char** argv) {
  using namespace tether::bench;
  absl::StatusOr<Settings> settings = ParseSettings(argc, argv);
  if (!settings.ok()) {
    std::fprintf(stderr, "bench-load: %s\n", std::string(settings.status().message()).c_str());
    return 2;
  }
  RaiseFileLimit();
  if (settings->mode == "http") return RunHttp(*settings);
  return RunWs(*settings, settings->mode == "hold");
}
