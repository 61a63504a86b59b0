// The parsed form of a BARE schema file, as read by bare_codegen.
//
// Supported grammar (the subset of the BARE draft that protocol schemas use):
//   type Name <type>            alias, or `void` for a type that carries no data
//   type Name struct { field: <type> ... }
//   type Name union { A | B = 7 | C }      members are named types; `= N` sets the tag
//   type Name enum { A B = 3 C }
//   <type> := u8|u16|u32|u64|i8|i16|i32|i64|f32|f64|bool|str|data|data[N]|void|uint|int
//           | optional<T> | list<T> | map<K><V> | Name
// Comments run from `#` to the end of the line; a comment block right above a type or field is
// kept so the generated C++ carries the schema's documentation.
#ifndef TETHER_PROTO_CODEGEN_SCHEMA_H_
#define TETHER_PROTO_CODEGEN_SCHEMA_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace tether::codegen {

struct TypeExpr {
  enum class Kind { kPrimitive, kStr, kData, kFixedData, kVoid, kOptional, kList, kMap, kNamed };
  Kind kind = Kind::kVoid;
  std::string name;          // primitive keyword ("u16", "bool", ...) or the named type
  std::size_t length = 0;    // kFixedData
  std::vector<TypeExpr> args;  // kOptional, kList: one; kMap: key, value
};

struct Field {
  std::string name;
  TypeExpr type;
  std::vector<std::string> doc;
};

struct UnionMember {
  std::string type_name;
  std::uint64_t tag = 0;
};

struct EnumValue {
  std::string name;
  std::uint64_t value = 0;
};

struct TypeDef {
  enum class Kind { kAlias, kVoid, kStruct, kUnion, kEnum };
  std::string name;
  Kind kind = Kind::kAlias;
  TypeExpr alias;  // kAlias
  std::vector<Field> fields;
  std::vector<UnionMember> members;
  std::vector<EnumValue> values;
  std::vector<std::string> doc;
};

struct Schema {
  std::vector<TypeDef> types;

  const TypeDef* Find(std::string_view name) const;
};

// Parses and checks a schema: every referenced name is defined once, and names, tags and values
// are unique within a type. Syntax errors name the line.
absl::StatusOr<Schema> ParseSchema(std::string_view text);

}  // namespace tether::codegen

#endif  // TETHER_PROTO_CODEGEN_SCHEMA_H_
