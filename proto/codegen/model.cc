#include "model.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tether::codegen {
namespace {

const std::map<std::string_view, std::string_view>& PrimitiveCppTypes() {
  static const std::map<std::string_view, std::string_view> types = {
      {"u8", "std::uint8_t"},   {"u16", "std::uint16_t"}, {"u32", "std::uint32_t"},
      {"u64", "std::uint64_t"}, {"i8", "std::int8_t"},    {"i16", "std::int16_t"},
      {"i32", "std::int32_t"},  {"i64", "std::int64_t"},  {"f32", "float"},
      {"f64", "double"},        {"bool", "bool"},         {"uint", "std::uint64_t"},
      {"int", "std::int64_t"}};
  return types;
}

std::size_t PrimitiveSize(std::string_view name) {
  if (name == "u16" || name == "i16") return 2;
  if (name == "u32" || name == "i32" || name == "f32") return 4;
  if (name == "u64" || name == "i64" || name == "f64") return 8;
  return 1;  // u8, i8, bool, and the one-byte minimum of uint/int
}

void CollectNames(const TypeExpr& type, std::vector<std::string>& out) {
  if (type.kind == TypeExpr::Kind::kNamed) out.push_back(type.name);
  for (const TypeExpr& arg : type.args) CollectNames(arg, out);
}

std::vector<std::string> Dependencies(const TypeDef& def) {
  std::vector<std::string> names;
  CollectNames(def.alias, names);
  for (const Field& f : def.fields) CollectNames(f.type, names);
  for (const UnionMember& m : def.members) names.push_back(m.type_name);
  return names;
}

}  // namespace

absl::StatusOr<Model> Model::Build(const Schema& schema) {
  Model model(schema);
  for (const TypeDef& def : schema.types) {
    for (const UnionMember& m : def.members) {
      if (schema.Find(m.type_name)->kind == TypeDef::Kind::kAlias) model.wrapped_.insert(m.type_name);
    }
  }
  // Depth-first post-order; a type met again while still open contains itself.
  enum class Mark { kNone, kOpen, kDone };
  std::map<std::string, Mark, std::less<>> marks;
  std::string cycle;
  auto visit = [&](auto& self, const TypeDef& def) -> void {
    Mark& mark = marks[def.name];
    if (mark == Mark::kDone || !cycle.empty()) return;
    if (mark == Mark::kOpen) {
      cycle = def.name;
      return;
    }
    mark = Mark::kOpen;
    for (const std::string& dep : Dependencies(def)) self(self, *schema.Find(dep));
    marks[def.name] = Mark::kDone;
    model.ordered_.push_back(&def);
  };
  for (const TypeDef& def : schema.types) visit(visit, def);
  if (!cycle.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("type ", cycle, " contains itself; recursive types are not supported"));
  }
  return model;
}

const TypeDef& Model::Get(std::string_view name) const { return *schema_->Find(name); }

const TypeExpr& Model::Expand(const TypeExpr& type) const {
  if (type.kind != TypeExpr::Kind::kNamed) return type;
  const TypeDef& def = Get(type.name);
  if (def.kind == TypeDef::Kind::kAlias && !IsWrapped(def)) return Expand(def.alias);
  return type;
}

std::string Model::CppType(const TypeExpr& type) const {
  switch (type.kind) {
    case TypeExpr::Kind::kPrimitive:
      return std::string(PrimitiveCppTypes().at(type.name));
    case TypeExpr::Kind::kStr:
      return "std::string";
    case TypeExpr::Kind::kData:
      return "::tether::bare::Bytes";
    case TypeExpr::Kind::kFixedData:
      return absl::StrCat("std::array<std::uint8_t, ", type.length, ">");
    case TypeExpr::Kind::kVoid:
      return "std::monostate";
    case TypeExpr::Kind::kOptional:
      return absl::StrCat("std::optional<", CppType(type.args[0]), ">");
    case TypeExpr::Kind::kList:
      return absl::StrCat("std::vector<", CppType(type.args[0]), ">");
    case TypeExpr::Kind::kMap:
      return absl::StrCat("::tether::bare::Map<", CppType(type.args[0]), ", ", CppType(type.args[1]), ">");
    case TypeExpr::Kind::kNamed:
      return type.name;
  }
  return {};
}

std::size_t Model::MinSize(const TypeExpr& type) const {
  switch (type.kind) {
    case TypeExpr::Kind::kPrimitive:
      return PrimitiveSize(type.name);
    case TypeExpr::Kind::kFixedData:
      return type.length;
    case TypeExpr::Kind::kVoid:
      return 0;
    case TypeExpr::Kind::kNamed:
      return MinSize(Get(type.name));
    default:
      return 1;  // a length, count or presence byte
  }
}

std::size_t Model::MinSize(const TypeDef& def) const {
  switch (def.kind) {
    case TypeDef::Kind::kAlias:
      return MinSize(def.alias);
    case TypeDef::Kind::kVoid:
      return 0;
    case TypeDef::Kind::kEnum:
      return 1;
    case TypeDef::Kind::kStruct: {
      std::size_t sum = 0;
      for (const Field& f : def.fields) sum += MinSize(f.type);
      return sum;
    }
    case TypeDef::Kind::kUnion: {
      std::size_t smallest = SIZE_MAX;
      for (const UnionMember& m : def.members) smallest = std::min(smallest, MinSize(Get(m.type_name)));
      return 1 + smallest;
    }
  }
  return 0;
}

std::string SnakeCase(std::string_view camel) {
  std::string out;
  for (char c : camel) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (!out.empty()) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  static const std::set<std::string_view> kKeywords = {
      "auto", "bool", "break", "case", "catch", "char", "class", "const", "default", "delete",
      "do", "double", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
      "friend", "goto", "if", "inline", "int", "long", "namespace", "new", "operator", "private",
      "protected", "public", "register", "return", "short", "signed", "sizeof", "static",
      "struct", "switch", "template", "this", "throw", "true", "try", "typedef", "typename",
      "union", "unsigned", "using", "virtual", "void", "volatile", "while"};
  if (kKeywords.contains(out)) out += '_';
  return out;
}

std::string JsonEnumName(std::string_view value) {
  const bool shouting = std::none_of(value.begin(), value.end(),
                                     [](char c) { return std::islower(static_cast<unsigned char>(c)); });
  if (!shouting) return std::string(value);
  std::string out;
  bool word_start = true;
  for (char c : value) {
    if (c == '_') {
      word_start = true;
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    out += static_cast<char>(word_start ? std::toupper(u) : std::tolower(u));
    word_start = false;
  }
  return out;
}

std::string EnumConstant(std::string_view value) { return "k" + JsonEnumName(value); }

}  // namespace tether::codegen
