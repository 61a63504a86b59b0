// bench-codec: encode and decode times of tether's generated v7 codec for the messages of
// codec_messages.h (Google Benchmark). `bench-codec --hex` prints each message's name and
// encoding instead, so the driver can check the official codec encodes the same bytes.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "codec/codec_messages.h"
#include "tether/bare/hex.h"

namespace tether::bench {
namespace {

// A fresh buffer per message, as the runner's send path (and the official encodeX) does.
template <typename T, T (*kMake)()>
void BM_Encode(benchmark::State& state) {
  const T value = kMake();
  for (auto _ : state) {
    absl::StatusOr<bare::Bytes> encoded = bare::Encode(value);
    if (!encoded.ok()) state.SkipWithError("encode failed");
    benchmark::DoNotOptimize(encoded);
  }
}

template <typename T, T (*kMake)()>
void BM_Decode(benchmark::State& state) {
  const bare::Bytes bytes = *bare::Encode(kMake());
  for (auto _ : state) {
    absl::StatusOr<T> decoded = bare::Decode<T>(bytes);
    if (!decoded.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
}

using proto::v7::ToClient;
using proto::v7::ToServer;

// Names are <message>/<encode|decode>; the driver matches them with the Node script's.
BENCHMARK(BM_Encode<ToClient, ClientWebSocketMessage>)->Name("client_ws_message/encode");
BENCHMARK(BM_Decode<ToClient, ClientWebSocketMessage>)->Name("client_ws_message/decode");
BENCHMARK(BM_Encode<ToServer, ServerWebSocketMessage>)->Name("server_ws_message/encode");
BENCHMARK(BM_Decode<ToServer, ServerWebSocketMessage>)->Name("server_ws_message/decode");
BENCHMARK(BM_Encode<ToClient, RequestStart>)->Name("request_start/encode");
BENCHMARK(BM_Decode<ToClient, RequestStart>)->Name("request_start/decode");
BENCHMARK(BM_Encode<ToClient, StartActorCommand>)->Name("start_actor/encode");
BENCHMARK(BM_Decode<ToClient, StartActorCommand>)->Name("start_actor/decode");

void PrintHex() {
  const auto print = [](const char* name, const bare::Bytes& bytes) {
    std::printf("%s %s\n", name, bare::HexEncode(bytes).c_str());
  };
  print("client_ws_message", *bare::Encode(ClientWebSocketMessage()));
  print("server_ws_message", *bare::Encode(ServerWebSocketMessage()));
  print("request_start", *bare::Encode(RequestStart()));
  print("start_actor", *bare::Encode(StartActorCommand()));
}

}  // namespace
}  // namespace tether::bench

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--hex") == 0) {
    tether::bench::PrintHex();
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
