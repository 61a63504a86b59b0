#include "codec/codec_messages.h"

#include <cstdint>

namespace tether::bench {
namespace {

namespace v7 = proto::v7;

constexpr char kActorId[] = "5r7njzx3yd29ma2tkv8kgv4eadbl00";

// Bytes 0, 1, ..., n-1.
bare::Bytes Counting(std::size_t n) {
  bare::Bytes bytes(n);
  for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<std::uint8_t>(i);
  return bytes;
}

v7::MessageId SampleMessageId(std::uint16_t index) {
  return {{0xde, 0xad, 0xbe, 0xef}, {0x01, 0x02, 0x03, 0x04}, index};
}

}  // namespace

v7::ToClient ClientWebSocketMessage() {
  return v7::ToClientTunnelMessage{SampleMessageId(7), v7::ToClientWebSocketMessage{Counting(32), true}};
}

v7::ToServer ServerWebSocketMessage() {
  return v7::ToServerTunnelMessage{SampleMessageId(7), v7::ToServerWebSocketMessage{Counting(32), true}};
}

v7::ToClient RequestStart() {
  v7::ToClientRequestStart start;
  start.actor_id = kActorId;
  start.method = "POST";
  start.path = "/echo";
  start.headers = {{"host", "127.0.0.1:6420"},
                   {"user-agent", "bench-load"},
                   {"content-type", "application/octet-stream"},
                   {"content-length", "32"},
                   {"accept", "*/*"},
                   {"x-rivet-ray-id", "0193c1d2e4f5a6b7c8d9e0f1a2b3c4d5"}};
  start.body = Counting(32);
  start.stream = false;
  return v7::ToClientTunnelMessage{SampleMessageId(0), std::move(start)};
}

v7::ToClient StartActorCommand() {
  v7::CommandStartActor start;
  start.config.name = "echo";
  start.config.key = "bench-key";
  start.config.create_ts = 1795808557007;
  start.config.input = Counting(16);
  v7::CommandWrapper wrapper{{kActorId, 0, 0}, std::move(start)};
  return v7::ToClientCommands{{std::move(wrapper)}};
}

}  // namespace tether::bench
