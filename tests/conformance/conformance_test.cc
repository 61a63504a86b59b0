// Checks the generated runner-protocol v7 codec against vectors that the official TypeScript codec
// (@rivetkit/engine-runner-protocol) produced at test time (make_vectors.mjs, run by ctest as a
// fixture): every positive vector decodes to the official value, re-encodes to the same bytes,
// and its JSON encodes to the same bytes; every negative vector, which the official decoder
// rejects, is rejected too, with a message naming the problem and its byte offset.
//
// Tests are named after what they cover (one per union variant of the schema, one per negative
// category), so `ctest -N` lists every message type.
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model.h"
#include "schema.h"
#include "tether/bare/codec.h"
#include "tether/bare/hex.h"
#include "tether/proto/runner_protocol_v7.h"
#include "tether/proto/runner_protocol_v7_json.h"

namespace tether::bare {
// Names the parameter in test listings ("ToClient.ToClientInit").
void PrintTo(const UnionVariantInfo& v, std::ostream* os) { *os << v.union_name << "." << v.variant_name; }
}  // namespace tether::bare

namespace {

namespace v7 = tether::proto::v7;
using Json = nlohmann::ordered_json;

struct Vectors {
  std::vector<Json> positive;
  std::vector<Json> negative;
};

const Vectors& LoadVectors() {
  static const Vectors vectors = [] {
    Vectors v;
    const char* path = std::getenv("TETHER_CONFORMANCE_VECTORS");
    if (path == nullptr) return v;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      Json j = Json::parse(line);
      (j.at("kind") == "positive" ? v.positive : v.negative).push_back(std::move(j));
    }
    return v;
  }();
  return vectors;
}

const tether::codegen::Schema& Schema() {
  static const tether::codegen::Schema schema = [] {
    std::ifstream in(TETHER_RUNNER_V7_SCHEMA);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return *tether::codegen::ParseSchema(text);
  }();
  return schema;
}

tether::bare::Bytes FromHex(const std::string& hex) { return *tether::bare::HexDecode(hex); }

std::string ToHex(const tether::bare::Bytes& bytes) { return tether::bare::HexEncode(bytes); }

const tether::bare::JsonTypeCodec& Codec(const std::string& type) {
  for (const auto& codec : v7::JsonCodecs()) {
    if (codec.type_name == type) return codec;
  }
  ADD_FAILURE() << "no codec for " << type;
  return v7::JsonCodecs()[0];
}

// Walks a value in its JSON form along the schema and records "Union.Variant" for every union
// value inside it, so each vector is credited with exactly the variants it contains.
void CollectVariants(const tether::codegen::Model& model, const tether::codegen::TypeExpr& type, const Json& j,
                     std::set<std::string>& out);

void CollectVariants(const tether::codegen::Model& model, const tether::codegen::TypeDef& def, const Json& j,
                     std::set<std::string>& out) {
  using Kind = tether::codegen::TypeDef::Kind;
  switch (def.kind) {
    case Kind::kAlias:
      CollectVariants(model, def.alias, j, out);
      break;
    case Kind::kStruct:
      for (const auto& f : def.fields) CollectVariants(model, f.type, j.at(f.name), out);
      break;
    case Kind::kUnion: {
      const std::string tag = j.at("tag");
      out.insert(def.name + "." + tag);
      CollectVariants(model, model.Get(tag), j.at("val"), out);
      break;
    }
    default:
      break;
  }
}

void CollectVariants(const tether::codegen::Model& model, const tether::codegen::TypeExpr& type, const Json& j,
                     std::set<std::string>& out) {
  using Kind = tether::codegen::TypeExpr::Kind;
  switch (type.kind) {
    case Kind::kNamed:
      CollectVariants(model, model.Get(type.name), j, out);
      break;
    case Kind::kOptional:
      if (!j.is_null()) CollectVariants(model, type.args[0], j, out);
      break;
    case Kind::kList:
      for (const Json& item : j) CollectVariants(model, type.args[0], item, out);
      break;
    case Kind::kMap:
      for (const auto& item : j.items()) CollectVariants(model, type.args[1], item.value(), out);
      break;
    default:
      break;
  }
}

std::set<std::string> VariantsIn(const Json& vector) {
  static const tether::codegen::Model model = *tether::codegen::Model::Build(Schema());
  std::set<std::string> variants;
  CollectVariants(model, model.Get(vector.at("type").get<std::string>()), vector.at("value"), variants);
  return variants;
}

// Typed decode and re-encode, without the JSON layer.
template <typename T>
std::string TypedRoundTrip(const tether::bare::Bytes& bytes) {
  absl::StatusOr<T> value = tether::bare::Decode<T>(bytes);
  if (!value.ok()) return "decode failed: " + std::string(value.status().message());
  absl::StatusOr<tether::bare::Bytes> again = tether::bare::Encode(*value);
  if (!again.ok()) return "encode failed: " + std::string(again.status().message());
  return ToHex(*again);
}

std::string TypedRoundTrip(const std::string& type, const tether::bare::Bytes& bytes) {
  if (type == "ToServer") return TypedRoundTrip<v7::ToServer>(bytes);
  if (type == "ToClient") return TypedRoundTrip<v7::ToClient>(bytes);
  if (type == "ToRunner") return TypedRoundTrip<v7::ToRunner>(bytes);
  if (type == "ToGateway") return TypedRoundTrip<v7::ToGateway>(bytes);
  if (type == "ToServerlessServer") return TypedRoundTrip<v7::ToServerlessServer>(bytes);
  if (type == "ActorCommandKeyData") return TypedRoundTrip<v7::ActorCommandKeyData>(bytes);
  return "no typed codec for " + type;
}

void ExpectConforms(const Json& vector) {
  const std::string type = vector.at("type");
  const std::string hex = vector.at("hex");
  const tether::bare::Bytes bytes = FromHex(hex);
  const tether::bare::JsonTypeCodec& codec = Codec(type);
  SCOPED_TRACE(vector.at("name").get<std::string>());

  absl::StatusOr<std::string> json = codec.bare_to_json(bytes, tether::bare::Limits{}, -1);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(Json::parse(*json), vector.at("value")) << "our decoding differs from the official one";

  absl::StatusOr<tether::bare::Bytes> encoded = codec.json_to_bare(vector.at("value").dump());
  ASSERT_TRUE(encoded.ok()) << encoded.status();
  EXPECT_EQ(ToHex(*encoded), hex) << "encoding the official value gives other bytes";

  EXPECT_EQ(TypedRoundTrip(type, bytes), hex) << "typed decode + encode changed the bytes";
}

TEST(ConformanceVectors, WereGeneratedByTheOfficialCodec) {
  ASSERT_NE(std::getenv("TETHER_CONFORMANCE_VECTORS"), nullptr)
      << "run through ctest: the conformance.make_vectors fixture writes the vectors";
  EXPECT_GE(LoadVectors().positive.size(), 40u);
  EXPECT_GE(LoadVectors().negative.size(), 9u);
}

TEST(ConformanceVectors, EveryPositiveVectorConforms) {
  for (const Json& vector : LoadVectors().positive) ExpectConforms(vector);
}

class UnionVariant : public testing::TestWithParam<tether::bare::UnionVariantInfo> {};

TEST_P(UnionVariant, IsCoveredAndConforms) {
  const std::string wanted = std::string(GetParam().union_name) + "." + std::string(GetParam().variant_name);
  int covering = 0;
  for (const Json& vector : LoadVectors().positive) {
    if (!VariantsIn(vector).contains(wanted)) continue;
    ++covering;
    ExpectConforms(vector);
  }
  EXPECT_GT(covering, 0) << "no official vector contains " << wanted;
}

INSTANTIATE_TEST_SUITE_P(RunnerV7, UnionVariant, testing::ValuesIn(v7::kUnionVariants),
                         [](const testing::TestParamInfo<tether::bare::UnionVariantInfo>& p) {
                           return std::string(p.param.union_name) + "_" + std::string(p.param.variant_name);
                         });

struct NegativeCategory {
  const char* name;
  // What our message must say; one of these.
  std::vector<std::string> problems;
};

void PrintTo(const NegativeCategory& c, std::ostream* os) { *os << c.name; }

class Negative : public testing::TestWithParam<NegativeCategory> {};

TEST_P(Negative, IsRejectedWithProblemAndOffset) {
  int count = 0;
  for (const Json& vector : LoadVectors().negative) {
    if (vector.at("category") != GetParam().name) continue;
    ++count;
    SCOPED_TRACE(vector.at("name").get<std::string>() + " (official: " + vector.at("official_error").get<std::string>() +
                 ")");
    const tether::bare::JsonTypeCodec& codec = Codec(vector.at("type"));
    absl::StatusOr<std::string> json = codec.bare_to_json(FromHex(vector.at("hex")), tether::bare::Limits{}, -1);
    ASSERT_FALSE(json.ok()) << "accepted: " << *json;
    const std::string message(json.status().message());
    EXPECT_NE(message.find(" at byte "), std::string::npos) << message;
    bool named = false;
    for (const std::string& problem : GetParam().problems) named = named || message.find(problem) != std::string::npos;
    EXPECT_TRUE(named) << "message does not name the problem: " << message;
  }
  EXPECT_GT(count, 0) << "no official vector in category " << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    RunnerV7, Negative,
    testing::Values(NegativeCategory{"unknown_tag", {"unknown tag", "unknown value"}},
                    NegativeCategory{"truncated", {"truncated input"}},
                    NegativeCategory{"trailing_bytes", {"trailing bytes"}},
                    NegativeCategory{"non_canonical_uleb128", {"non-canonical ULEB128"}},
                    NegativeCategory{"bad_bool", {"invalid bool byte"}},
                    NegativeCategory{"bad_optional", {"invalid optional presence byte"}},
                    NegativeCategory{"duplicate_map_key", {"duplicate map key"}},
                    NegativeCategory{"invalid_utf8", {"not valid UTF-8"}},
                    NegativeCategory{"length_overrun", {"truncated input", "exceeds the limit"}}),
    [](const testing::TestParamInfo<NegativeCategory>& p) { return std::string(p.param.name); });

}  // namespace
