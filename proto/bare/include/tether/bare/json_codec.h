// The JSON form of BARE values, for tools that show frames to people (`tether proto`) and for the
// conformance tests against the official codec.
//
// Mapping: struct -> object with the schema's field names; union -> {"tag": "<member type>",
// "val": <value>} (void members have "val": null); enum -> the official codec's value name
// ("Ok"); optional -> null or the value; list -> array; map<str><V> -> object in wire order;
// data and data[N] -> lowercase hex string; u64/i64/uint/int -> decimal string (JSON numbers lose
// precision above 2^53; numbers are accepted on input); other integers and bool -> JSON numbers
// and booleans. This is the official TypeScript codec's decoded form with bigints as strings,
// byte buffers as hex and Maps as objects.
//
// Threading: the codecs are stateless and thread-safe.
#ifndef TETHER_BARE_JSON_CODEC_H_
#define TETHER_BARE_JSON_CODEC_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "tether/bare/codec.h"

namespace tether::bare {

// The JSON codec of one named schema type.
struct JsonTypeCodec {
  std::string_view type_name;
  // Decodes one BARE value and prints it as JSON (indent < 0: one line).
  absl::StatusOr<std::string> (*bare_to_json)(std::span<const std::uint8_t> bytes, const Limits& limits,
                                              int indent);
  // Parses JSON in the form above and encodes it; errors name the JSON path of the bad value.
  absl::StatusOr<Bytes> (*json_to_bare)(std::string_view json);
};

}  // namespace tether::bare

#endif  // TETHER_BARE_JSON_CODEC_H_
