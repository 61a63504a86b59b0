#include "json_support.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tether/bare/hex.h"

namespace tether::bare::json {
namespace {


}  // namespace

void FromJsonContext::Fail(std::string_view problem) const {
  throw JsonError{absl::StrCat("at $", absl::StrJoin(path_, ""), ": ", absl::string_view(problem.data(), problem.size()))};
}

std::string FromJsonContext::Describe(const Json& j) {
  std::string text = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return absl::StrCat(j.type_name(), " ", text);
}

FromJsonContext::Wide FromJsonContext::ParseDecimal(const std::string& text, bool is_signed) const {
  Wide value{0, 0};
  const char* end = text.data() + text.size();
  const std::from_chars_result r = is_signed ? std::from_chars(text.data(), end, value.first)
                                             : std::from_chars(text.data(), end, value.second);
  if (r.ec != std::errc() || r.ptr != end || text.empty()) {
    Fail(absl::StrCat("\"", text, "\" is not a decimal integer", is_signed ? "" : " >= 0", " within 64 bits"));
  }
  return value;
}

double FromJsonContext::Float(const Json& j) const {
  if (!j.is_number()) Fail("expected a number, found " + Describe(j));
  return j.get<double>();
}

bool FromJsonContext::Boolean(const Json& j) const {
  if (!j.is_boolean()) Fail("expected true or false, found " + Describe(j));
  return j.get<bool>();
}

std::string FromJsonContext::String(const Json& j) const {
  if (!j.is_string()) Fail("expected a string, found " + Describe(j));
  return j.get<std::string>();
}

void FromJsonContext::Hex(const Json& j, Bytes& out) const {
  if (!j.is_string()) Fail("expected a hex string, found " + Describe(j));
  absl::StatusOr<Bytes> bytes = HexDecode(j.get_ref<const std::string&>());
  if (!bytes.ok()) Fail(std::string(bytes.status().message()));
  out = *std::move(bytes);
}

void FromJsonContext::ExpectNull(const Json& j) const {
  if (!j.is_null()) Fail("expected null (this type carries no data), found " + Describe(j));
}

void FromJsonContext::ExpectObject(const Json& j, std::initializer_list<std::string_view> keys) const {
  if (!j.is_object()) Fail("expected an object, found " + Describe(j));
  for (const auto& item : j.items()) {
    bool known = false;
    for (std::string_view k : keys) known = known || item.key() == k;
    if (!known) {
      Fail(absl::StrCat("unknown member \"", item.key(), "\" (expected: ",
                        absl::StrJoin(keys.begin(), keys.end(), ", ",
                                      [](std::string* out, std::string_view k) { out->append(k); }),
                        ")"));
    }
  }
}

const Json& FromJsonContext::Array(const Json& j) const {
  if (!j.is_array()) Fail("expected an array, found " + Describe(j));
  return j;
}

const Json& FromJsonContext::Object(const Json& j) const {
  if (!j.is_object()) Fail("expected an object, found " + Describe(j));
  return j;
}

const Json& FromJsonContext::Member(const Json& object, std::string_view key) const {
  const auto it = object.find(key);
  if (it == object.end()) Fail(absl::StrCat("missing member \"", absl::string_view(key.data(), key.size()), "\""));
  return *it;
}

const Json& FromJsonContext::OptionalMember(const Json& object, std::string_view key) const {
  static const Json kNull = nullptr;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

Json HexString(std::span<const std::uint8_t> bytes) { return HexEncode(bytes); }

absl::Status ParseJson(std::string_view text, Json& out) {
  std::vector<std::set<std::string>> open_objects;
  auto check_keys = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) open_objects.emplace_back();
    if (event == Json::parse_event_t::object_end) open_objects.pop_back();
    if (event == Json::parse_event_t::key && !open_objects.back().insert(parsed.get<std::string>()).second) {
      throw JsonError{absl::StrCat("duplicate key \"", parsed.get<std::string>(), "\" in a JSON object")};
    }
    return true;
  };
  try {
    out = Json::parse(text.begin(), text.end(), check_keys);
  } catch (const JsonError& e) {
    return absl::InvalidArgumentError(e.message);
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", e.what()));
  }
  return absl::OkStatus();
}

}  // namespace tether::bare::json
