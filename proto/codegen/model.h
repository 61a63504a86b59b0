// What the emitters need to know about a schema beyond its syntax: C++ names and types, the order
// in which types must be declared, which aliases become distinct types, and the smallest encoded
// size of each type (used to bound item counts while decoding).
#ifndef TETHER_PROTO_CODEGEN_MODEL_H_
#define TETHER_PROTO_CODEGEN_MODEL_H_

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "schema.h"

namespace tether::codegen {

class Model {
 public:
  // Fails if a type contains itself.
  static absl::StatusOr<Model> Build(const Schema& schema);

  const Schema& schema() const { return *schema_; }
  // Every type, each after the types it contains.
  const std::vector<const TypeDef*>& ordered() const { return ordered_; }

  const TypeDef& Get(std::string_view name) const;
  // Aliases named as union members become wrapper structs: variant alternatives must be distinct
  // C++ types, and two aliases of one list type would not be.
  bool IsWrapped(const TypeDef& def) const { return wrapped_.contains(def.name); }
  // Whether `def` gets Read/Write functions (plain aliases are expanded where used instead).
  bool HasCodec(const TypeDef& def) const { return def.kind != TypeDef::Kind::kAlias || IsWrapped(def); }
  // For a plain alias, the expression it stands for; for anything else `type` itself.
  const TypeExpr& Expand(const TypeExpr& type) const;

  std::string CppType(const TypeExpr& type) const;
  std::size_t MinSize(const TypeExpr& type) const;
  std::size_t MinSize(const TypeDef& def) const;

 private:
  explicit Model(const Schema& schema) : schema_(&schema) {}

  const Schema* schema_;
  std::vector<const TypeDef*> ordered_;
  std::set<std::string, std::less<>> wrapped_;
};

// C++ spellings of schema names.
std::string SnakeCase(std::string_view camel);       // "createTs" -> "create_ts"
std::string EnumConstant(std::string_view value);    // "OK" -> "kOk"
// The name the official TypeScript codec gives an enum value, used in JSON: "OK" -> "Ok".
std::string JsonEnumName(std::string_view value);

}  // namespace tether::codegen

#endif  // TETHER_PROTO_CODEGEN_MODEL_H_
