#include "tether/bare/codec.h"

#include <bit>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace tether::bare {
namespace {

// A u64 needs at most 10 ULEB128 bytes (7 bits each); the 10th may only carry the top bit.
constexpr int kMaxUlebBytes = 10;

std::string_view AsStringView(const std::uint8_t* p, std::size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}

// Debian's Abseil keeps absl::string_view distinct from std::string_view.
absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace

void Reader::FailAt(std::size_t at, std::string problem) {
  if (!ok()) return;
  error_offset_ = at;
  error_ = std::move(problem);
  offset_ = bytes_.size();  // Every later read sees "no bytes left" and returns a zero value.
}

absl::Status Reader::status() const {
  if (ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(error_, " at byte ", error_offset_));
}

const std::uint8_t* Reader::Take(std::size_t n, std::string_view what) {
  if (!ok()) return nullptr;
  if (bytes_.size() - offset_ < n) {
    FailAt(offset_, absl::StrCat("truncated input: ", ToAbsl(what), " needs ", n, " bytes, ",
                                 bytes_.size() - offset_, " left"));
    return nullptr;
  }
  const std::uint8_t* p = bytes_.data() + offset_;
  offset_ += n;
  return p;
}

std::uint8_t Reader::U8() {
  const std::uint8_t* p = Take(1, "u8");
  return p ? *p : 0;
}

std::uint16_t Reader::U16() {
  const std::uint8_t* p = Take(2, "u16");
  return p ? static_cast<std::uint16_t>(p[0] | p[1] << 8) : 0;
}

std::uint32_t Reader::U32() {
  const std::uint8_t* p = Take(4, "u32");
  if (!p) return 0;
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

std::uint64_t Reader::U64() {
  const std::uint8_t* p = Take(8, "u64");
  if (!p) return 0;
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

float Reader::F32() { return std::bit_cast<float>(U32()); }
double Reader::F64() { return std::bit_cast<double>(U64()); }

bool Reader::Flag(std::string_view what) {
  const std::size_t at = offset_;
  const std::uint8_t v = U8();
  if (v > 1) FailAt(at, absl::StrCat("invalid ", ToAbsl(what), " byte ", v, " (must be 0 or 1)"));
  return v == 1;
}

std::uint64_t Reader::Uint() {
  const std::size_t at = offset_;
  std::uint64_t value = 0;
  for (int i = 0; i < kMaxUlebBytes; ++i) {
    const std::uint8_t* p = Take(1, "ULEB128 integer");
    if (!p) return 0;
    const std::uint64_t bits = *p & 0x7f;
    if (i == kMaxUlebBytes - 1 && bits > 1) {
      FailAt(at, "ULEB128 integer overflows 64 bits");
      return 0;
    }
    value |= bits << (7 * i);
    if ((*p & 0x80) == 0) {
      // A zero last byte after the first one adds nothing: a shorter encoding exists.
      if (i > 0 && *p == 0) {
        FailAt(at, "non-canonical ULEB128 integer (padded with a zero byte)");
        return 0;
      }
      return value;
    }
  }
  FailAt(at, "ULEB128 integer longer than 10 bytes");
  return 0;
}

std::int64_t Reader::Int() {
  const std::uint64_t zigzag = Uint();
  return static_cast<std::int64_t>(zigzag >> 1) ^ -static_cast<std::int64_t>(zigzag & 1);
}

std::size_t Reader::Length(std::size_t limit, std::string_view what) {
  const std::size_t at = offset_;
  const std::uint64_t n = Uint();
  if (n > limit) {
    FailAt(at, absl::StrCat(ToAbsl(what), " length ", n, " exceeds the limit of ", limit));
    return 0;
  }
  return static_cast<std::size_t>(n);
}

std::size_t Reader::Count(std::size_t limit, std::size_t min_item_bytes, std::string_view what) {
  const std::size_t at = offset_;
  const std::size_t n = Length(limit, what);
  const std::size_t left = bytes_.size() - offset_;
  if (min_item_bytes > 0 && n > left / min_item_bytes) {
    FailAt(at, absl::StrCat("truncated input: ", ToAbsl(what), " of ", n, " items cannot fit in the ", left,
                            " bytes left"));
    return 0;
  }
  return n;
}

void Reader::Str(std::string& out) {
  const std::size_t at = offset_;
  const std::size_t n = Length(limits_.max_bytes_length, "str");
  const std::uint8_t* p = Take(n, "str");
  if (!p) return;
  const std::string_view text = AsStringView(p, n);
  if (!IsValidUtf8(text)) {
    FailAt(at, "str is not valid UTF-8");
    return;
  }
  out.assign(text);
}

void Reader::Data(Bytes& out) {
  const std::size_t n = Length(limits_.max_bytes_length, "data");
  if (const std::uint8_t* p = Take(n, "data")) out.assign(p, p + n);
}

void Writer::Fail(std::string problem) {
  if (ok()) error_ = std::move(problem);
}

absl::Status Writer::status() const {
  if (ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("cannot encode: ", error_));
}

void Writer::Fixed(std::uint64_t v, int width) {
  for (int i = 0; i < width; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void Writer::F32(float v) { U32(std::bit_cast<std::uint32_t>(v)); }
void Writer::F64(double v) { U64(std::bit_cast<std::uint64_t>(v)); }

void Writer::Uint(std::uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<std::uint8_t>(v));
}

void Writer::Int(std::int64_t v) {
  Uint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

void Writer::Str(std::string_view v) {
  if (!IsValidUtf8(v)) Fail("str is not valid UTF-8");
  Uint(v.size());
  out_.insert(out_.end(), v.begin(), v.end());
}

void Writer::Data(std::span<const std::uint8_t> v) {
  Uint(v.size());
  out_.insert(out_.end(), v.begin(), v.end());
}

}  // namespace tether::bare
