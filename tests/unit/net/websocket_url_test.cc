#include "net/websocket_url.h"

#include "gtest/gtest.h"

namespace tether::net {
namespace {

TEST(WebSocketUrlTest, DefaultsPortAndPathByScheme) {
  const absl::StatusOr<WebSocketUrl> plain = ParseWebSocketUrl("ws://engine.example");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "engine.example");
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "/");
  EXPECT_EQ(plain->HostHeader(), "engine.example");

  const absl::StatusOr<WebSocketUrl> secure = ParseWebSocketUrl("WSS://engine.example");
  ASSERT_TRUE(secure.ok()) << secure.status();
  EXPECT_TRUE(secure->tls);
  EXPECT_EQ(secure->port, 443);
  EXPECT_EQ(secure->HostAndPort(), "engine.example:443");
}

TEST(WebSocketUrlTest, KeepsPortPathAndQueryAndDropsTheFragment) {
  const absl::StatusOr<WebSocketUrl> url = ParseWebSocketUrl("ws://127.0.0.1:6420/rivet/runners/connect?v=7#x");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 6420);
  EXPECT_EQ(url->target, "/rivet/runners/connect?v=7");
  EXPECT_EQ(url->HostHeader(), "127.0.0.1:6420");
}

TEST(WebSocketUrlTest, QueryWithoutPathGetsARootPath) {
  const absl::StatusOr<WebSocketUrl> url = ParseWebSocketUrl("ws://h?a=b");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "h");
  EXPECT_EQ(url->target, "/?a=b");
}

TEST(WebSocketUrlTest, AcceptsBracketedIpv6) {
  const absl::StatusOr<WebSocketUrl> url = ParseWebSocketUrl("wss://[::1]:8443/x");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->HostHeader(), "[::1]:8443");

  const absl::StatusOr<WebSocketUrl> default_port = ParseWebSocketUrl("ws://[fe80::1]");
  ASSERT_TRUE(default_port.ok()) << default_port.status();
  EXPECT_EQ(default_port->HostHeader(), "[fe80::1]");
}

TEST(WebSocketUrlTest, RejectsMalformedUrls) {
  for (const char* url : {"http://h/", "ws:/h", "ws://", "ws://:80/", "ws://h:/", "ws://h:0", "ws://h:65536",
                          "ws://h:12a", "ws://user:pw@h/", "ws://[::1/", "ws://[::1]x/", "ws://::1/"}) {
    const absl::StatusOr<WebSocketUrl> parsed = ParseWebSocketUrl(url);
    EXPECT_TRUE(absl::IsInvalidArgument(parsed.status())) << url << " -> " << parsed.status();
  }
}

}  // namespace
}  // namespace tether::net
