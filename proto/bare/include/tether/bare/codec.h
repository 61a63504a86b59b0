// BARE (https://baremessages.org) encoding core shared by every generated protocol codec.
//
// Generated code (see proto/codegen) defines, for each schema type T, the overloads
//   void Read(bare::Reader&, T&);
//   void Write(bare::Writer&, const T&);
// in the schema's namespace; `bare::Decode<T>` and `bare::Encode` find them by argument-dependent
// lookup. Nothing here throws: a malformed frame is an absl::Status naming the problem and the byte
// offset where it starts, which is what users need when they paste a frame from a log.
//
// Decoding is strict in the same ways as the official TypeScript codec (@rivetkit/bare-ts):
// union tags and enum values must be known, ULEB128 integers canonical, bool and optional bytes
// 0 or 1, strings valid UTF-8, map keys distinct, and no bytes may trail the value. On top of that,
// lengths are bounded by `Limits` so a hostile length prefix can never cause a large allocation.
//
// Threading: Reader and Writer are single-use, single-thread objects; the free functions are
// thread-safe.
#ifndef TETHER_BARE_CODEC_H_
#define TETHER_BARE_CODEC_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tether::bare {

// `data` fields.
using Bytes = std::vector<std::uint8_t>;

// `map<K><V>`: kept in wire order so that decoding and re-encoding gives the same bytes (peers
// send header maps in hash order). Keys are distinct; Find() looks one up.
template <typename K, typename V>
using Map = std::vector<std::pair<K, V>>;

template <typename K, typename V>
const V* Find(const Map<K, V>& map, const K& key) {
  for (const auto& [k, v] : map) {
    if (k == key) return &v;
  }
  return nullptr;
}

// Bounds applied while decoding, before anything is allocated. The defaults fit the runner
// protocol: the engine's gateway accepts WebSocket messages of up to 32 MiB.
struct Limits {
  std::size_t max_bytes_length = std::size_t{32} << 20;  // one `str` or `data`
  std::size_t max_list_length = std::size_t{1} << 20;    // items in one `list`
  std::size_t max_map_length = std::size_t{1} << 16;     // entries in one `map`
};

// One variant of one union of a schema, for tools and tests that walk a schema.
struct UnionVariantInfo {
  std::string_view union_name;
  std::string_view variant_name;
  std::uint64_t tag;
};

// Reads BARE values from a byte span. After the first error every read returns a zero value and
// the error stays the first one, so generated code needs no error checks between fields.
class Reader {
 public:
  Reader(std::span<const std::uint8_t> bytes, const Limits& limits) : bytes_(bytes), limits_(limits) {}

  bool ok() const { return error_.empty(); }
  std::size_t offset() const { return offset_; }
  bool AtEnd() const { return offset_ == bytes_.size(); }
  const Limits& limits() const { return limits_; }

  std::uint8_t U8();
  std::uint16_t U16();
  std::uint32_t U32();
  std::uint64_t U64();
  std::int8_t I8() { return static_cast<std::int8_t>(U8()); }
  std::int16_t I16() { return static_cast<std::int16_t>(U16()); }
  std::int32_t I32() { return static_cast<std::int32_t>(U32()); }
  std::int64_t I64() { return static_cast<std::int64_t>(U64()); }
  float F32();
  double F64();
  bool Bool() { return Flag("bool"); }
  // ULEB128, rejected unless canonical (shortest form).
  std::uint64_t Uint();
  std::int64_t Int();
  void Str(std::string& out);
  void Data(Bytes& out);
  template <std::size_t N>
  void FixedData(std::array<std::uint8_t, N>& out) {
    if (const std::uint8_t* p = Take(N, "data[N]")) std::copy(p, p + N, out.begin());
  }
  // The presence byte of an `optional<T>`.
  bool Optional() { return Flag("optional presence"); }
  // An item count, checked against the limit and against the bytes left given the smallest
  // encoding of one item (0 when an item can be empty).
  std::size_t ListLength(std::size_t min_item_bytes) {
    return Count(limits_.max_list_length, min_item_bytes, "list");
  }
  std::size_t MapLength(std::size_t min_entry_bytes) {
    return Count(limits_.max_map_length, min_entry_bytes, "map");
  }

  // Records an error about the value that starts at `at`; only the first error is kept.
  void FailAt(std::size_t at, std::string problem);
  absl::Status status() const;

 private:
  const std::uint8_t* Take(std::size_t n, std::string_view what);
  bool Flag(std::string_view what);
  std::size_t Length(std::size_t limit, std::string_view what);
  std::size_t Count(std::size_t limit, std::size_t min_item_bytes, std::string_view what);

  std::span<const std::uint8_t> bytes_;
  const Limits& limits_;
  std::size_t offset_ = 0;
  std::size_t error_offset_ = 0;
  std::string error_;
};

// Appends BARE values to a byte vector. Values a peer would reject (invalid UTF-8, duplicate map
// keys) are refused here instead of being sent; the first such error is kept.
class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}

  bool ok() const { return error_.empty(); }
  absl::Status status() const;
  void Fail(std::string problem);

  void U8(std::uint8_t v) { out_.push_back(v); }
  void U16(std::uint16_t v) { Fixed(v, 2); }
  void U32(std::uint32_t v) { Fixed(v, 4); }
  void U64(std::uint64_t v) { Fixed(v, 8); }
  void I8(std::int8_t v) { U8(static_cast<std::uint8_t>(v)); }
  void I16(std::int16_t v) { U16(static_cast<std::uint16_t>(v)); }
  void I32(std::int32_t v) { U32(static_cast<std::uint32_t>(v)); }
  void I64(std::int64_t v) { U64(static_cast<std::uint64_t>(v)); }
  void F32(float v);
  void F64(double v);
  void Bool(bool v) { U8(v ? 1 : 0); }
  void Uint(std::uint64_t v);
  void Int(std::int64_t v);
  void Str(std::string_view v);
  void Data(std::span<const std::uint8_t> v);
  template <std::size_t N>
  void FixedData(const std::array<std::uint8_t, N>& v) {
    out_.insert(out_.end(), v.begin(), v.end());
  }
  void Optional(bool present) { Bool(present); }

 private:
  void Fixed(std::uint64_t v, int width);

  Bytes& out_;
  std::string error_;
};

// Tracks the keys of one map while it is read or written, to refuse duplicates. Small maps (the
// common case: HTTP headers) are checked by a linear scan, large ones through an ordered set, so
// a hostile frame cannot make this quadratic. Inserted keys are referenced, not copied: they must
// stay where they are (generated code reserves the map's vector first) while this object lives.
template <typename K>
class DistinctKeys {
 public:
  bool Insert(const K& key) {
    if (set_.empty() && small_.size() < kSmall) {
      for (const K* k : small_) {
        if (*k == key) return false;
      }
      small_.push_back(&key);
      return true;
    }
    if (set_.empty()) {
      for (const K* k : small_) set_.insert(*k);
    }
    return set_.insert(key).second;
  }

 private:
  static constexpr std::size_t kSmall = 16;
  std::vector<const K*> small_;
  std::set<K> set_;
};

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Decodes one complete value of type T; trailing bytes are an error.
template <typename T>
absl::StatusOr<T> Decode(std::span<const std::uint8_t> bytes, const Limits& limits = {}) {
  Reader reader(bytes, limits);
  T value{};
  Read(reader, value);
  if (reader.ok() && !reader.AtEnd()) {
    reader.FailAt(reader.offset(), std::to_string(bytes.size() - reader.offset()) + " trailing bytes after the value");
  }
  if (!reader.ok()) return reader.status();
  return value;
}

// Appends the encoding of `value` to `out`; on error `out` is left as it was.
template <typename T>
absl::Status EncodeTo(const T& value, Bytes& out) {
  const std::size_t size_before = out.size();
  Writer writer(out);
  Write(writer, value);
  if (!writer.ok()) {
    out.resize(size_before);
    return writer.status();
  }
  return absl::OkStatus();
}

template <typename T>
absl::StatusOr<Bytes> Encode(const T& value) {
  Bytes out;
  if (absl::Status status = EncodeTo(value, out); !status.ok()) return status;
  return out;
}

}  // namespace tether::bare

#endif  // TETHER_BARE_CODEC_H_
