// The WebSocket client against the in-process server of test_server.h, over ws:// and wss://.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/event_loop.h"
#include "test_certificates.h"
#include "test_server.h"

namespace tether::net {
namespace {

using ::testing::HasSubstr;
using testing::ServerConnection;
using testing::TestServer;

using Message = std::vector<std::uint8_t>;

// How long any wait for an expected event may take before the test fails.
constexpr std::chrono::seconds kWait{10};

Message Bytes(std::string_view text) { return Message(text.begin(), text.end()); }

// Records the callbacks of one connection and checks the handler contract as they come.
class RecordingHandler final : public WebSocketHandler {
 public:
  explicit RecordingHandler(const EventLoop* loop) : loop_(loop) {}

  void OnOpen() override {
    CheckCall();
    Update([&] { ++opens_; });
  }

  void OnMessage(std::span<const std::uint8_t> data, bool binary) override {
    CheckCall();
    EXPECT_TRUE(binary);
    Update([&] { messages_.emplace_back(data.begin(), data.end()); });
    if (after_message_) after_message_();
  }

  void OnClosed(const CloseInfo& info) override {
    CheckCall();
    Update([&] {
      EXPECT_FALSE(closed_.has_value()) << "OnClosed called twice";
      closed_ = info;
    });
    if (after_close_) after_close_();
  }

  // Run on the loop thread after a message, or the close, was recorded.
  void set_after_message(std::function<void()> fn) { after_message_ = std::move(fn); }
  void set_after_close(std::function<void()> fn) { after_close_ = std::move(fn); }
  // From now on, any callback fails the test.
  void Forbid() { forbidden_ = true; }

  bool WaitOpen() { return WaitFor([&] { return opens_ > 0 || closed_.has_value(); }) && opens_ == 1; }
  bool WaitForMessages(std::size_t count) {
    return WaitFor([&] { return messages_.size() >= count || closed_.has_value(); }) && messages_.size() >= count;
  }
  std::optional<CloseInfo> WaitClosed() {
    WaitFor([&] { return closed_.has_value(); });
    std::lock_guard lock(mu_);
    return closed_;
  }
  std::vector<Message> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  int opens() const {
    std::lock_guard lock(mu_);
    return opens_;
  }

 private:
  void CheckCall() const {
    EXPECT_FALSE(forbidden_.load()) << "callback after the connection was destroyed";
    EXPECT_TRUE(loop_->InLoopThread());
  }
  template <class Fn>
  void Update(Fn fn) {
    std::lock_guard lock(mu_);
    fn();
    changed_.notify_all();
  }
  template <class Predicate>
  bool WaitFor(Predicate predicate) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, kWait, predicate);
  }

  const EventLoop* const loop_;
  std::atomic<bool> forbidden_ = false;
  std::function<void()> after_message_;
  std::function<void()> after_close_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  int opens_ = 0;
  std::vector<Message> messages_;
  std::optional<CloseInfo> closed_;
};

// A value a server script hands to the test thread; shared so the script never outlives it.
// Copies share one value, so a script can hold a copy.
template <class T>
class Report {
 public:
  void Set(T value) const { promise_->set_value(std::move(value)); }
  std::optional<T> Wait() const {
    if (future_.wait_for(kWait) != std::future_status::ready) return std::nullopt;
    return future_.get();
  }

 private:
  std::shared_ptr<std::promise<T>> promise_ = std::make_shared<std::promise<T>>();
  std::shared_future<T> future_ = promise_->get_future().share();
};

void Echo(ServerConnection& connection) {
  if (!connection.Accept("rivet")) return;
  while (std::optional<Message> message = connection.Read()) {
    if (!connection.Write(*message)) return;
  }
}

// A port on 127.0.0.1 that nothing listens on (it was free a moment ago).
int UnusedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

// Accepts TCP connections (the kernel completes them from the backlog) but never answers.
class SilentListener {
 public:
  SilentListener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), size);
    ::listen(fd_, 16);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

class WebSocketClientTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (loop_) {
      RunOnLoop([this] { connection_.reset(); });
      loop_.reset();
    }
    connection_.reset();
  }

  // Runs `fn` on the loop thread and waits for it.
  void RunOnLoop(std::function<void()> fn) {
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> finished = done->get_future();
    loop_->Post([fn = std::move(fn), done] {
      fn();
      done->set_value();
    });
    if (finished.wait_for(kWait) != std::future_status::ready) {
      // `fn` refers to the caller's frame; the test cannot go on safely.
      std::fprintf(stderr, "the event loop is stuck\n");
      std::abort();
    }
  }

  void StartServer(TestServer::Script script, std::optional<testing::ServerTls> tls = std::nullopt) {
    server_ = TestServer::Start(std::move(script), std::move(tls));
  }

  WebSocketOptions Options(std::string url) const {
    WebSocketOptions options;
    options.url = std::move(url);
    options.subprotocols = {"rivet", "rivet_token.x"};
    options.connect_timeout = std::chrono::seconds(5);
    return options;
  }
  std::string ServerUrl(std::string_view scheme = "ws", std::string_view host = "127.0.0.1") const {
    return std::string(scheme) + "://" + std::string(host) + ":" + std::to_string(server_->port()) + "/runners/connect?v=7";
  }

  void Connect(WebSocketOptions options) {
    RunOnLoop([&] { connection_ = loop_->Connect(std::move(options), &handler_); });
  }
  void Send(Message message) {
    RunOnLoop([&] { connection_->Send(std::move(message)); });
  }
  // The outcome of a connection expected to fail before it opened.
  CloseInfo ConnectAndFail(WebSocketOptions options) {
    Connect(std::move(options));
    std::optional<CloseInfo> closed = handler_.WaitClosed();
    EXPECT_TRUE(closed.has_value());
    EXPECT_EQ(handler_.opens(), 0);
    return closed.value_or(CloseInfo{});
  }

  std::unique_ptr<TestServer> server_;  // first: it outlives the client side
  std::unique_ptr<EventLoop> loop_ = EventLoop::Create();
  RecordingHandler handler_{loop_.get()};
  std::unique_ptr<WebSocketConnection> connection_;
};

TEST_F(WebSocketClientTest, EchoesMessagesInOrder) {
  StartServer(Echo);
  std::vector<Message> sent;
  for (int i = 0; i < 1000; ++i) sent.push_back(Bytes("message " + std::to_string(i)));
  Message big(std::size_t{1} << 20);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 31 % 251);
  sent.insert(sent.begin() + 500, big);

  RunOnLoop([&] {
    connection_ = loop_->Connect(Options(ServerUrl()), &handler_);
    // Half of them queue up before the handshake completes.
    std::size_t queued = 0;
    for (std::size_t i = 0; i <= 500; ++i) {
      connection_->Send(sent[i]);
      queued += sent[i].size();
    }
    EXPECT_EQ(connection_->queued_bytes(), queued);
  });
  ASSERT_TRUE(handler_.WaitOpen());
  RunOnLoop([&] {
    for (std::size_t i = 501; i < sent.size(); ++i) connection_->Send(sent[i]);
  });

  ASSERT_TRUE(handler_.WaitForMessages(sent.size()));
  const std::vector<Message> received = handler_.messages();
  ASSERT_EQ(received.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) ASSERT_TRUE(received[i] == sent[i]) << "message " << i;
  RunOnLoop([&] { EXPECT_EQ(connection_->queued_bytes(), 0u); });
}

TEST_F(WebSocketClientTest, OffersSubprotocolsInOneHeader) {
  Report<std::string> requested;
  StartServer([requested](ServerConnection& connection) {
    const bool accepted = connection.Accept("rivet");
    requested.Set(connection.requested_subprotocols());
    if (accepted) connection.Read();
  });
  Connect(Options(ServerUrl()));
  EXPECT_TRUE(handler_.WaitOpen());
  EXPECT_EQ(requested.Wait(), "rivet, rivet_token.x");
}

TEST_F(WebSocketClientTest, ReportsServerCloseCodeAndReason) {
  StartServer([](ServerConnection& connection) {
    if (connection.Accept("rivet")) connection.Close(1011, "actor crashed");
  });
  Connect(Options(ServerUrl()));
  ASSERT_TRUE(handler_.WaitOpen());
  const std::optional<CloseInfo> closed = handler_.WaitClosed();
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1011);
  EXPECT_EQ(closed->reason, "actor crashed");
  EXPECT_TRUE(closed->error.ok()) << closed->error;
}

// The engine may reset the TCP connection right after its close frame, so the client's answer
// (or its teardown) fails; the close frame is still how the connection ended.
TEST_F(WebSocketClientTest, ReportsCloseFrameFollowedByReset) {
  StartServer([](ServerConnection& connection) {
    if (connection.Accept("rivet") && connection.SendCloseFrame(1011, "ws.eviction")) connection.Reset();
  });
  for (int attempt = 0; attempt < 20; ++attempt) {
    SCOPED_TRACE(attempt);
    RecordingHandler handler(loop_.get());
    std::unique_ptr<WebSocketConnection> connection;
    RunOnLoop([&] { connection = loop_->Connect(Options(ServerUrl()), &handler); });
    const std::optional<CloseInfo> closed = handler.WaitClosed();
    RunOnLoop([&] { connection.reset(); });
    ASSERT_TRUE(closed.has_value());
    EXPECT_EQ(handler.opens(), 1);
    EXPECT_EQ(closed->code, 1011);
    EXPECT_EQ(closed->reason, "ws.eviction");
    EXPECT_TRUE(closed->error.ok()) << closed->error;
  }
}

// A peer that sends its close frame but never completes the TCP teardown: the closing handshake
// is bounded like a connect, and the close frame is still what is reported.
TEST_F(WebSocketClientTest, BoundsAClosingHandshakeThePeerNeverFinishes) {
  const Report<bool> release;
  StartServer([release](ServerConnection& connection) {
    if (!connection.Accept("rivet") || !connection.SendCloseFrame(1001, "going away")) return;
    connection.DrainUntilEof();
    release.Wait();  // keeps the connection open after the client's half-close
  });
  WebSocketOptions options = Options(ServerUrl());
  options.connect_timeout = std::chrono::milliseconds(500);
  Connect(std::move(options));
  ASSERT_TRUE(handler_.WaitOpen());
  const auto opened = std::chrono::steady_clock::now();
  const std::optional<CloseInfo> closed = handler_.WaitClosed();
  release.Set(true);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1001);
  EXPECT_EQ(closed->reason, "going away");
  EXPECT_TRUE(closed->error.ok()) << closed->error;
  EXPECT_LT(std::chrono::steady_clock::now() - opened, std::chrono::seconds(5));
}

TEST_F(WebSocketClientTest, CloseFlushesQueuedMessagesFirst) {
  struct Seen {
    int messages = 0;
    int code = 0;
    std::string reason;
  };
  Report<Seen> seen;
  StartServer([seen](ServerConnection& connection) {
    if (!connection.Accept("rivet")) return;
    Seen result;
    while (connection.Read()) ++result.messages;
    result.code = connection.peer_close_code();
    result.reason = connection.peer_close_reason();
    seen.Set(result);
  });
  Connect(Options(ServerUrl()));
  ASSERT_TRUE(handler_.WaitOpen());
  RunOnLoop([&] {
    for (int i = 0; i < 100; ++i) connection_->Send(Message(10000, 7));
    connection_->Close(4000, "done");
    connection_->Close(1000, "ignored: a second Close");
    connection_->Send(Bytes("ignored: after Close"));
  });

  const std::optional<CloseInfo> closed = handler_.WaitClosed();
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 4000);  // Beast echoes the code in its answer
  EXPECT_TRUE(closed->error.ok()) << closed->error;
  const std::optional<Seen> server_side = seen.Wait();
  ASSERT_TRUE(server_side.has_value());
  EXPECT_EQ(server_side->messages, 100);
  EXPECT_EQ(server_side->code, 4000);
  EXPECT_EQ(server_side->reason, "done");
}

TEST_F(WebSocketClientTest, ReportsConnectionRefused) {
  const int port = UnusedPort();
  const CloseInfo closed = ConnectAndFail(Options("ws://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_EQ(closed.code, 0);
  EXPECT_TRUE(absl::IsUnavailable(closed.error)) << closed.error;
  EXPECT_THAT(std::string(closed.error.message()),
              HasSubstr("connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused"));
}

TEST_F(WebSocketClientTest, TimesOutWhenTheHandshakeIsNeverAnswered) {
  const SilentListener listener;
  WebSocketOptions options = Options("ws://127.0.0.1:" + std::to_string(listener.port()) + "/");
  options.connect_timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  const CloseInfo closed = ConnectAndFail(std::move(options));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(absl::IsDeadlineExceeded(closed.error)) << closed.error;
  EXPECT_THAT(std::string(closed.error.message()), HasSubstr("WebSocket handshake"));
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST_F(WebSocketClientTest, CloseWhileConnectingCancels) {
  const SilentListener listener;
  RunOnLoop([&] {
    connection_ = loop_->Connect(Options("ws://127.0.0.1:" + std::to_string(listener.port()) + "/"), &handler_);
    connection_->Close(1000, "never mind");
  });
  const std::optional<CloseInfo> closed = handler_.WaitClosed();
  ASSERT_TRUE(closed.has_value());
  EXPECT_TRUE(absl::IsCancelled(closed->error)) << closed->error;
  EXPECT_EQ(handler_.opens(), 0);
}

TEST_F(WebSocketClientTest, ReportsRejectedHandshakeWithStatus) {
  StartServer([](ServerConnection& connection) { connection.Reject(403, "token is not valid"); });
  const CloseInfo closed = ConnectAndFail(Options(ServerUrl()));
  EXPECT_TRUE(absl::IsPermissionDenied(closed.error)) << closed.error;
  EXPECT_THAT(std::string(closed.error.message()), HasSubstr("HTTP 403 Forbidden: token is not valid"));
}

TEST_F(WebSocketClientTest, FailsOnMessageOverTheLimit) {
  Report<int> close_code;
  StartServer([close_code](ServerConnection& connection) {
    if (!connection.Accept("rivet") || !connection.Write(Message(2048, 1))) return;
    while (connection.Read()) {
    }
    close_code.Set(connection.peer_close_code());
  });
  WebSocketOptions options = Options(ServerUrl());
  options.max_message_bytes = 1024;
  Connect(std::move(options));
  const std::optional<CloseInfo> closed = handler_.WaitClosed();
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(handler_.opens(), 1);
  EXPECT_TRUE(handler_.messages().empty());
  EXPECT_TRUE(absl::IsResourceExhausted(closed->error)) << closed->error;
  EXPECT_EQ(close_code.Wait(), 1009);
}

TEST_F(WebSocketClientTest, AnswersPings) {
  Report<bool> pong;
  StartServer([pong](ServerConnection& connection) {
    if (!connection.Accept("rivet") || !connection.Ping() || !connection.Write(Bytes("pinged"))) return;
    // The client's pong went out before its answer to "pinged", so reading that sees the pong.
    connection.Read();
    pong.Set(connection.pong_received());
    connection.Read();
  });
  Connect(Options(ServerUrl()));
  ASSERT_TRUE(handler_.WaitForMessages(1));
  Send(Bytes("ack"));
  EXPECT_EQ(pong.Wait(), true);
}

TEST_F(WebSocketClientTest, NoCallbacksAfterTheConnectionIsDestroyedInOnMessage) {
  Report<bool> server_done;
  StartServer([server_done](ServerConnection& connection) {
    if (connection.Accept("rivet")) {
      for (int i = 0; i < 10000 && connection.Write(Bytes("flood")); ++i) {
      }
    }
    server_done.Set(true);
  });
  handler_.set_after_message([this] {
    connection_.reset();
    handler_.Forbid();
  });
  Connect(Options(ServerUrl()));
  ASSERT_TRUE(handler_.WaitForMessages(1));
  EXPECT_EQ(server_done.Wait(), true);
  // Anything still queued on the loop runs before these.
  RunOnLoop([] {});
  RunOnLoop([] {});
  EXPECT_EQ(handler_.messages().size(), 1u);
}

TEST_F(WebSocketClientTest, ConnectionMayBeDestroyedInOnClosed) {
  StartServer([](ServerConnection& connection) {
    if (connection.Accept("rivet")) connection.Close(1000, "bye");
  });
  handler_.set_after_close([this] {
    connection_.reset();
    handler_.Forbid();
  });
  Connect(Options(ServerUrl()));
  const std::optional<CloseInfo> closed = handler_.WaitClosed();
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1000);
  RunOnLoop([this] { EXPECT_EQ(connection_, nullptr); });
}

TEST_F(WebSocketClientTest, ConnectionMayOutliveTheEventLoop) {
  StartServer(Echo);
  Connect(Options(ServerUrl()));
  ASSERT_TRUE(handler_.WaitOpen());
  handler_.Forbid();
  loop_.reset();
  // The connection closed with the loop, without callbacks; the handle is now inert.
  EXPECT_EQ(connection_->queued_bytes(), 0u);
  connection_.reset();
}

TEST_F(WebSocketClientTest, RejectsMalformedUrls) {
  for (const char* url : {"http://127.0.0.1/", "ws://", "ws://127.0.0.1:99999/"}) {
    SCOPED_TRACE(url);
    RecordingHandler handler(loop_.get());
    std::unique_ptr<WebSocketConnection> connection;
    RunOnLoop([&] { connection = loop_->Connect(Options(url), &handler); });
    const std::optional<CloseInfo> closed = handler.WaitClosed();
    RunOnLoop([&] { connection.reset(); });
    ASSERT_TRUE(closed.has_value());
    EXPECT_TRUE(absl::IsInvalidArgument(closed->error)) << closed->error;
  }
}

class SecureWebSocketClientTest : public WebSocketClientTest {
 protected:
  static void SetUpTestSuite() {
    // Per process: ctest may run the tests of this suite in parallel processes.
    directory_ = new std::string(::testing::TempDir() + "tether_net_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(*directory_);
    std::optional<testing::TestCertificates> made = testing::MakeTestCertificates(*directory_);
    if (made) certificates_ = new testing::TestCertificates(*std::move(made));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*directory_);
    delete certificates_;
    delete directory_;
  }

  void SetUp() override { ASSERT_NE(certificates_, nullptr) << "generating the test certificates failed"; }

  WebSocketOptions SecureOptions(std::string_view host, bool with_ca) const {
    WebSocketOptions options = Options(ServerUrl("wss", host));
    if (with_ca) options.tls.extra_ca_file = certificates_->ca_file;
    return options;
  }

  static std::string* directory_;
  static testing::TestCertificates* certificates_;
};

std::string* SecureWebSocketClientTest::directory_ = nullptr;
testing::TestCertificates* SecureWebSocketClientTest::certificates_ = nullptr;

TEST_F(SecureWebSocketClientTest, ConnectsWithTheExtraCa) {
  StartServer(Echo, certificates_->localhost);
  Connect(SecureOptions("localhost", /*with_ca=*/true));
  ASSERT_TRUE(handler_.WaitOpen());
  Send(Bytes("over TLS"));
  ASSERT_TRUE(handler_.WaitForMessages(1));
  EXPECT_EQ(handler_.messages()[0], Bytes("over TLS"));
}

TEST_F(SecureWebSocketClientTest, ConnectsToAnIpAddressInTheCertificate) {
  StartServer(Echo, certificates_->localhost);
  Connect(SecureOptions("127.0.0.1", /*with_ca=*/true));
  EXPECT_TRUE(handler_.WaitOpen());
}

TEST_F(SecureWebSocketClientTest, FailsVerificationWithoutTheCa) {
  StartServer(Echo, certificates_->localhost);
  const CloseInfo closed = ConnectAndFail(SecureOptions("localhost", /*with_ca=*/false));
  EXPECT_THAT(std::string(closed.error.message()), HasSubstr("TLS handshake"));
  EXPECT_THAT(std::string(closed.error.message()), HasSubstr("certificate verify failed"));
}

TEST_F(SecureWebSocketClientTest, FailsOnAnotherHostsCertificate) {
  StartServer(Echo, certificates_->other_host);
  const CloseInfo closed = ConnectAndFail(SecureOptions("localhost", /*with_ca=*/true));
  EXPECT_THAT(std::string(closed.error.message()), HasSubstr("hostname mismatch"));
}

TEST_F(SecureWebSocketClientTest, SkipsVerificationWhenTurnedOff) {
  StartServer(Echo, certificates_->other_host);
  WebSocketOptions options = SecureOptions("localhost", /*with_ca=*/false);
  options.tls.verify_peer = false;
  Connect(std::move(options));
  EXPECT_TRUE(handler_.WaitOpen());
}

TEST_F(SecureWebSocketClientTest, ReportsAMissingCaFile) {
  WebSocketOptions options = Options("wss://localhost:1/");
  options.tls.extra_ca_file = *directory_ + "/missing.crt";
  const CloseInfo closed = ConnectAndFail(std::move(options));
  EXPECT_TRUE(absl::IsInvalidArgument(closed.error)) << closed.error;
  EXPECT_THAT(std::string(closed.error.message()), HasSubstr("extra_ca_file"));
}

}  // namespace
}  // namespace tether::net
