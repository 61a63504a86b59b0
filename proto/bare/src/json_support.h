// Building blocks of the generated JSON mapping (see tether/bare/json_codec.h for the mapping
// itself). Internal to the proto library: only generated *_json.cc files include this.
//
// While JSON is converted to a value, errors are thrown as JsonError carrying the JSON path of
// the offending value; JsonToBare catches them, so no exception leaves the library.
#ifndef TETHER_PROTO_BARE_JSON_SUPPORT_H_
#define TETHER_PROTO_BARE_JSON_SUPPORT_H_

#include <array>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tether/bare/codec.h"

namespace tether::bare::json {

using Json = nlohmann::ordered_json;

struct JsonError {
  std::string message;
};

// Tracks where in the JSON document a conversion is, so errors can say "$.val.headers".
class FromJsonContext {
 public:
  class Scope {
   public:
    explicit Scope(std::vector<std::string>& path, std::string part) : path_(path) {
      path_.push_back(std::move(part));
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope() { path_.pop_back(); }

   private:
    std::vector<std::string>& path_;
  };

  [[nodiscard]] Scope Field(std::string_view name) { return Scope(path_, "." + std::string(name)); }
  [[nodiscard]] Scope Index(std::size_t i) { return Scope(path_, "[" + std::to_string(i) + "]"); }
  [[nodiscard]] Scope Key(std::string_view key) { return Scope(path_, "[" + Json(key).dump() + "]"); }

  [[noreturn]] void Fail(std::string_view problem) const;

  template <typename T>
  T Integer(const Json& j) const {
    if (j.is_number_unsigned()) return InRange<T>(j.get<std::uint64_t>(), j);
    if (j.is_number_integer()) return InRange<T>(j.get<std::int64_t>(), j);
    if (j.is_string()) return InRange<T>(ParseDecimal(j.get_ref<const std::string&>(), std::is_signed_v<T>), j);
    Fail("expected an integer (a number, or a decimal string for 64-bit values), found " + Describe(j));
  }
  double Float(const Json& j) const;
  bool Boolean(const Json& j) const;
  std::string String(const Json& j) const;
  void Hex(const Json& j, Bytes& out) const;
  template <std::size_t N>
  void FixedHex(const Json& j, std::array<std::uint8_t, N>& out) const {
    Bytes bytes;
    Hex(j, bytes);
    if (bytes.size() != N) Fail("expected " + std::to_string(N) + " bytes of hex, found " + std::to_string(bytes.size()));
    std::copy(bytes.begin(), bytes.end(), out.begin());
  }
  void ExpectNull(const Json& j) const;
  // Checks that `j` is an object holding no keys but `keys`.
  void ExpectObject(const Json& j, std::initializer_list<std::string_view> keys) const;
  const Json& Array(const Json& j) const;
  const Json& Object(const Json& j) const;
  // A member that must be present.
  const Json& Member(const Json& object, std::string_view key) const;
  // A member that may be left out, standing for null.
  const Json& OptionalMember(const Json& object, std::string_view key) const;

 private:
  // A signed or unsigned 64-bit value parsed from a decimal string, kept in the widest type.
  using Wide = std::pair<std::int64_t, std::uint64_t>;

  template <typename T, typename V>
  T InRange(V value, const Json& j) const {
    if (!std::in_range<T>(value)) Fail(Describe(j) + " is out of range for this field");
    return static_cast<T>(value);
  }
  template <typename T>
  T InRange(Wide value, const Json& j) const {
    return std::is_signed_v<T> ? InRange<T>(value.first, j) : InRange<T>(value.second, j);
  }
  Wide ParseDecimal(const std::string& text, bool is_signed) const;
  static std::string Describe(const Json& j);

  std::vector<std::string> path_;
};

Json HexString(std::span<const std::uint8_t> bytes);

// Parses a JSON document, refusing duplicate object keys (a BARE map cannot hold them).
absl::Status ParseJson(std::string_view text, Json& out);

template <typename T, void (*ToJsonFn)(const T&, Json&)>
absl::StatusOr<std::string> BareToJson(std::span<const std::uint8_t> bytes, const Limits& limits, int indent) {
  absl::StatusOr<T> value = Decode<T>(bytes, limits);
  if (!value.ok()) return value.status();
  Json j;
  ToJsonFn(*value, j);
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

template <typename T, void (*FromJsonFn)(FromJsonContext&, const Json&, T&)>
absl::StatusOr<Bytes> JsonToBare(std::string_view text) {
  Json j;
  if (absl::Status status = ParseJson(text, j); !status.ok()) return status;
  T value{};
  try {
    FromJsonContext context;
    FromJsonFn(context, j, value);
  } catch (const JsonError& e) {
    return absl::InvalidArgumentError(e.message);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(std::string("invalid JSON value: ") + e.what());
  }
  return Encode(value);
}

}  // namespace tether::bare::json

#endif  // TETHER_PROTO_BARE_JSON_SUPPORT_H_
