// Fuzzes the runner-protocol v7 decoder. The first input byte picks the root type; the rest is
// the frame. Beyond "never crash", it checks two properties of every frame that decodes:
// re-encoding gives the same bytes (decoding is strict, so every accepted frame is canonical),
// and the JSON form converts back to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "tether/bare/codec.h"
#include "tether/proto/runner_protocol_v7.h"
#include "tether/proto/runner_protocol_v7_json.h"

namespace {

namespace bare = tether::bare;
namespace v7 = tether::proto::v7;

// Small limits make the fuzzer reach the limit checks too.
const bare::Limits kLimits{.max_bytes_length = 1 << 16, .max_list_length = 1 << 10, .max_map_length = 1 << 8};

void Check(bool property) {
  if (!property) std::abort();
}

template <typename T>
void RoundTrip(std::span<const std::uint8_t> frame, std::string_view type_name) {
  absl::StatusOr<T> value = bare::Decode<T>(frame, kLimits);
  if (!value.ok()) return;
  absl::StatusOr<bare::Bytes> encoded = bare::Encode(*value);
  Check(encoded.ok() && std::equal(encoded->begin(), encoded->end(), frame.begin(), frame.end()));

  for (const bare::JsonTypeCodec& codec : v7::JsonCodecs()) {
    if (codec.type_name != type_name) continue;
    absl::StatusOr<std::string> json = codec.bare_to_json(frame, kLimits, -1);
    Check(json.ok());
    absl::StatusOr<bare::Bytes> from_json = codec.json_to_bare(*json);
    Check(from_json.ok() && *from_json == *encoded);
  }
}

}  // namespace

// Keep in step with tests/fuzz/seed_corpus.mjs.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::span<const std::uint8_t> frame(data + 1, size - 1);
  switch (data[0] % 6) {
    case 0: RoundTrip<v7::ToServer>(frame, "ToServer"); break;
    case 1: RoundTrip<v7::ToClient>(frame, "ToClient"); break;
    case 2: RoundTrip<v7::ToRunner>(frame, "ToRunner"); break;
    case 3: RoundTrip<v7::ToGateway>(frame, "ToGateway"); break;
    case 4: RoundTrip<v7::ToServerlessServer>(frame, "ToServerlessServer"); break;
    default: RoundTrip<v7::ActorCommandKeyData>(frame, "ActorCommandKeyData"); break;
  }
  return 0;
}
