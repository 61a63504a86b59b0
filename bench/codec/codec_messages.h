// The protocol messages of the codec benchmark (scenario 6), the same values as
// bench/codec/official_codec_bench.mjs builds for the official TypeScript codec; the driver checks
// that both encode them to the same bytes before comparing times.
//
// Threading: pure functions.
#ifndef TETHER_BENCH_CODEC_CODEC_MESSAGES_H_
#define TETHER_BENCH_CODEC_CODEC_MESSAGES_H_

#include "tether/proto/runner_protocol_v7.h"

namespace tether::bench {

// Engine -> runner: a 32-byte binary WebSocket message of a client.
proto::v7::ToClient ClientWebSocketMessage();
// Runner -> engine: the actor's 32-byte binary WebSocket message.
proto::v7::ToServer ServerWebSocketMessage();
// Engine -> runner: an HTTP request with the gateway's usual headers and a 32-byte body.
proto::v7::ToClient RequestStart();
// Engine -> runner: a start command for one actor with a key and an input.
proto::v7::ToClient StartActorCommand();

}  // namespace tether::bench

#endif  // TETHER_BENCH_CODEC_CODEC_MESSAGES_H_
