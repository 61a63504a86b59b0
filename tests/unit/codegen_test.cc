// The schema compiler: what it accepts, what it refuses, and the names it gives.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emitters.h"
#include "model.h"
#include "schema.h"

namespace {

using tether::codegen::Model;
using tether::codegen::ParseSchema;
using testing::HasSubstr;

std::string ErrorOf(const std::string& text) {
  absl::StatusOr<tether::codegen::Schema> schema = ParseSchema(text);
  if (!schema.ok()) return std::string(schema.status().message());
  absl::StatusOr<Model> model = Model::Build(*schema);
  return model.ok() ? "accepted" : std::string(model.status().message());
}

TEST(ParseSchema, ReadsExplicitTagsValuesAndDocs) {
  absl::StatusOr<tether::codegen::Schema> schema = ParseSchema(
      "# Kept as documentation.\n"
      "type A struct {\n  # Field doc.\n  x: optional<list<map<str><data[4]>>>\n}\n"
      "type B void\n"
      "type U union { A | B = 5 }\n"
      "type E enum { ONE TWO = 7 THREE }\n");
  ASSERT_TRUE(schema.ok()) << schema.status();
  const auto* a = schema->Find("A");
  ASSERT_NE(a, nullptr);
  EXPECT_THAT(a->doc, testing::ElementsAre("Kept as documentation."));
  EXPECT_THAT(a->fields[0].doc, testing::ElementsAre("Field doc."));
  EXPECT_EQ(schema->Find("U")->members[1].tag, 5u);
  EXPECT_EQ(schema->Find("E")->values[2].value, 8u);
  EXPECT_EQ(schema->Find("B")->kind, tether::codegen::TypeDef::Kind::kVoid);
}

TEST(ParseSchema, DetachesACommentFollowedByABlankLine) {
  absl::StatusOr<tether::codegen::Schema> schema = ParseSchema("# Section heading\n\ntype A u8\n");
  ASSERT_TRUE(schema.ok());
  EXPECT_TRUE(schema->Find("A")->doc.empty());
}

TEST(ParseSchema, RefusesBrokenSchemasNamingTheCause) {
  EXPECT_EQ(ErrorOf("type A struct { x: Missing }"), "A.x refers to undefined type Missing");
  EXPECT_EQ(ErrorOf("type A u8\ntype A u16"), "type A is defined twice");
  EXPECT_EQ(ErrorOf("type A void\ntype U union { A | A }"), "U repeats A");
  EXPECT_EQ(ErrorOf("type A void\ntype B void\ntype U union { A = 1 | B = 1 }"), "U repeats tag/value 1");
  EXPECT_EQ(ErrorOf("type A struct {\n  x: map<u8><str>\n}"), "A.x: only str map keys are supported");
  EXPECT_EQ(ErrorOf("type A struct {\n  x\n}"), "line 3: expected ':', found '}'");
  EXPECT_EQ(ErrorOf("type A struct { b: B }\ntype B struct { a: optional<A> }"),
            "type A contains itself; recursive types are not supported");
}

TEST(Model, OrdersTypesAfterTheirParts) {
  absl::StatusOr<tether::codegen::Schema> schema = ParseSchema("type A struct { b: B }\ntype B u8\n");
  ASSERT_TRUE(schema.ok());
  absl::StatusOr<Model> model = Model::Build(*schema);
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model->ordered()[0]->name, "B");
  EXPECT_EQ(model->ordered()[1]->name, "A");
}

TEST(Model, WrapsOnlyAliasesThatAreUnionMembers) {
  absl::StatusOr<tether::codegen::Schema> schema =
      ParseSchema("type L list<u8>\ntype M list<u8>\ntype K data\ntype U union { L | M }\n");
  ASSERT_TRUE(schema.ok());
  absl::StatusOr<Model> model = Model::Build(*schema);
  ASSERT_TRUE(model.ok());
  EXPECT_TRUE(model->IsWrapped(*schema->Find("L")));
  EXPECT_FALSE(model->IsWrapped(*schema->Find("K")));
  const auto files = tether::codegen::EmitCodec(*model, {"x", "p", "ns", "x.bare"});
  EXPECT_THAT(files[0].content, HasSubstr("struct L {\n  std::vector<std::uint8_t> value{};"));
  EXPECT_THAT(files[0].content, HasSubstr("using K = ::tether::bare::Bytes;"));
}

TEST(Model, KnowsTheSmallestEncodingOfEachType) {
  absl::StatusOr<tether::codegen::Schema> schema =
      ParseSchema("type V void\ntype S struct { a: u32 b: data[4] c: optional<u64> }\ntype U union { V | S }\n");
  ASSERT_TRUE(schema.ok());
  absl::StatusOr<Model> model = Model::Build(*schema);
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model->MinSize(*schema->Find("S")), 9u);
  EXPECT_EQ(model->MinSize(*schema->Find("U")), 1u);
}

TEST(Names, FollowCppAndOfficialConventions) {
  EXPECT_EQ(tether::codegen::SnakeCase("createTs"), "create_ts");
  EXPECT_EQ(tether::codegen::SnakeCase("default"), "default_");
  EXPECT_EQ(tether::codegen::EnumConstant("OK"), "kOk");
  EXPECT_EQ(tether::codegen::JsonEnumName("STOP_INTENT"), "StopIntent");
  EXPECT_EQ(tether::codegen::JsonEnumName("Mixed"), "Mixed");
}

}  // namespace
