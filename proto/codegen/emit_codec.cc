#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "code_writer.h"
#include "emitters.h"

namespace tether::codegen {
namespace {

constexpr char kReader[] = "::tether::bare::Reader";
constexpr char kWriter[] = "::tether::bare::Writer";

std::string Guard(const EmitOptions& o, const char* suffix) {
  return IncludeGuard(absl::StrCat(o.include_prefix, "/", o.name, suffix));
}

std::string PrimitiveMethod(const std::string& name) {
  static const std::map<std::string, std::string> methods = {
      {"u8", "U8"},   {"u16", "U16"}, {"u32", "U32"}, {"u64", "U64"}, {"i8", "I8"},
      {"i16", "I16"}, {"i32", "I32"}, {"i64", "I64"}, {"f32", "F32"}, {"f64", "F64"},
      {"bool", "Bool"}, {"uint", "Uint"}, {"int", "Int"}};
  return methods.at(name);
}

void WriteDoc(CodeWriter& out, const std::vector<std::string>& doc) {
  for (const std::string& line : doc) out.Line(line.empty() ? "//" : "// " + line);
}

// Emits statements that read one value of `type` into the lvalue `target`. `depth` keeps the
// names of nested loop variables apart; `context` names the field in error messages.
void EmitRead(const Model& m, CodeWriter& out, const TypeExpr& raw, const std::string& target, int depth,
              const std::string& context) {
  const TypeExpr& type = m.Expand(raw);
  const std::string d = std::to_string(depth);
  switch (type.kind) {
    case TypeExpr::Kind::kPrimitive:
      out.Line(absl::StrCat(target, " = r.", PrimitiveMethod(type.name), "();"));
      return;
    case TypeExpr::Kind::kStr:
      out.Line(absl::StrCat("r.Str(", target, ");"));
      return;
    case TypeExpr::Kind::kData:
      out.Line(absl::StrCat("r.Data(", target, ");"));
      return;
    case TypeExpr::Kind::kFixedData:
      out.Line(absl::StrCat("r.FixedData(", target, ");"));
      return;
    case TypeExpr::Kind::kVoid:
      return;
    case TypeExpr::Kind::kNamed:
      out.Line(absl::StrCat("Read(r, ", target, ");"));
      return;
    case TypeExpr::Kind::kOptional:
      out.Open("if (r.Optional())");
      out.Line(absl::StrCat("auto& x", d, " = ", target, ".emplace();"));
      EmitRead(m, out, type.args[0], "x" + d, depth + 1, context);
      out.Close("} else {");
      out.Indent();
      out.Line(target + ".reset();");
      out.Close();
      return;
    case TypeExpr::Kind::kList:
      out.Open("");
      out.Line(absl::StrCat("const std::size_t n", d, " = r.ListLength(", m.MinSize(type.args[0]), ");"));
      out.Line(absl::StrCat(target, ".clear();"));
      out.Line(absl::StrCat(target, ".reserve(n", d, ");"));
      out.Open(absl::StrCat("for (std::size_t i", d, " = 0; i", d, " < n", d, " && r.ok(); ++i", d, ")"));
      out.Line(absl::StrCat("auto& x", d, " = ", target, ".emplace_back();"));
      EmitRead(m, out, type.args[0], "x" + d, depth + 1, context);
      out.Close();
      out.Close();
      return;
    case TypeExpr::Kind::kMap:
      out.Open("");
      out.Line(absl::StrCat("const std::size_t n", d, " = r.MapLength(",
                            m.MinSize(type.args[0]) + m.MinSize(type.args[1]), ");"));
      out.Line(absl::StrCat(target, ".clear();"));
      out.Line(absl::StrCat(target, ".reserve(n", d, ");"));
      out.Line(absl::StrCat("::tether::bare::DistinctKeys<", m.CppType(type.args[0]), "> keys", d, ";"));
      out.Open(absl::StrCat("for (std::size_t i", d, " = 0; i", d, " < n", d, " && r.ok(); ++i", d, ")"));
      out.Line(absl::StrCat("const std::size_t at", d, " = r.offset();"));
      out.Line(absl::StrCat("auto& e", d, " = ", target, ".emplace_back();"));
      EmitRead(m, out, type.args[0], "e" + d + ".first", depth + 1, context);
      out.Line(absl::StrCat("if (r.ok() && !keys", d, ".Insert(e", d, ".first)) r.FailAt(at", d,
                            ", \"duplicate map key in ", context, "\");"));
      EmitRead(m, out, type.args[1], "e" + d + ".second", depth + 1, context);
      out.Close();
      out.Close();
      return;
  }
}

void EmitWrite(const Model& m, CodeWriter& out, const TypeExpr& raw, const std::string& source, int depth,
               const std::string& context) {
  const TypeExpr& type = m.Expand(raw);
  const std::string d = std::to_string(depth);
  switch (type.kind) {
    case TypeExpr::Kind::kPrimitive:
      out.Line(absl::StrCat("w.", PrimitiveMethod(type.name), "(", source, ");"));
      return;
    case TypeExpr::Kind::kStr:
      out.Line(absl::StrCat("w.Str(", source, ");"));
      return;
    case TypeExpr::Kind::kData:
      out.Line(absl::StrCat("w.Data(", source, ");"));
      return;
    case TypeExpr::Kind::kFixedData:
      out.Line(absl::StrCat("w.FixedData(", source, ");"));
      return;
    case TypeExpr::Kind::kVoid:
      return;
    case TypeExpr::Kind::kNamed:
      out.Line(absl::StrCat("Write(w, ", source, ");"));
      return;
    case TypeExpr::Kind::kOptional:
      out.Line(absl::StrCat("w.Optional(", source, ".has_value());"));
      out.Open(absl::StrCat("if (", source, ".has_value())"));
      EmitWrite(m, out, type.args[0], "(*" + source + ")", depth + 1, context);
      out.Close();
      return;
    case TypeExpr::Kind::kList:
      out.Line(absl::StrCat("w.Uint(", source, ".size());"));
      out.Open(absl::StrCat("for (const auto& x", d, " : ", source, ")"));
      EmitWrite(m, out, type.args[0], "x" + d, depth + 1, context);
      out.Close();
      return;
    case TypeExpr::Kind::kMap:
      out.Line(absl::StrCat("w.Uint(", source, ".size());"));
      out.Line(absl::StrCat("::tether::bare::DistinctKeys<", m.CppType(type.args[0]), "> keys", d, ";"));
      out.Open(absl::StrCat("for (const auto& [k", d, ", v", d, "] : ", source, ")"));
      out.Line(absl::StrCat("if (!keys", d, ".Insert(k", d, ")) w.Fail(\"duplicate map key in ", context, "\");"));
      EmitWrite(m, out, type.args[0], "k" + d, depth + 1, context);
      EmitWrite(m, out, type.args[1], "v" + d, depth + 1, context);
      out.Close();
      return;
  }
}

void EmitTypeDefinition(const Model& m, CodeWriter& out, const TypeDef& def) {
  WriteDoc(out, def.doc);
  switch (def.kind) {
    case TypeDef::Kind::kAlias:
      if (!m.IsWrapped(def)) {
        out.Line(absl::StrCat("using ", def.name, " = ", m.CppType(def.alias), ";"));
        break;
      }
      out.Open(absl::StrCat("struct ", def.name));
      out.Line(absl::StrCat(m.CppType(def.alias), " value{};"));
      out.Line(absl::StrCat("bool operator==(const ", def.name, "&) const = default;"));
      out.Close("};");
      break;
    case TypeDef::Kind::kVoid:
      out.Open(absl::StrCat("struct ", def.name));
      out.Line(absl::StrCat("bool operator==(const ", def.name, "&) const = default;"));
      out.Close("};");
      break;
    case TypeDef::Kind::kStruct:
      out.Open(absl::StrCat("struct ", def.name));
      for (const Field& f : def.fields) {
        WriteDoc(out, f.doc);
        out.Line(absl::StrCat(m.CppType(f.type), " ", SnakeCase(f.name), "{};"));
      }
      out.Line(absl::StrCat("bool operator==(const ", def.name, "&) const = default;"));
      out.Close("};");
      break;
    case TypeDef::Kind::kUnion: {
      std::vector<std::string> members;
      for (const UnionMember& mem : def.members) members.push_back(mem.type_name);
      // A struct rather than an alias so that two unions with the same members stay distinct.
      out.Open(absl::StrCat("struct ", def.name, " : std::variant<", absl::StrJoin(members, ", "), ">"));
      out.Line(absl::StrCat("using Base = std::variant<", absl::StrJoin(members, ", "), ">;"));
      out.Line("using Base::Base;");
      out.Line("using Base::operator=;");
      out.Close("};");
      break;
    }
    case TypeDef::Kind::kEnum:
      out.Open(absl::StrCat("enum class ", def.name, " : std::uint64_t"));
      for (const EnumValue& v : def.values) out.Line(absl::StrCat(EnumConstant(v.name), " = ", v.value, ","));
      out.Close("};");
      break;
  }
  out.Line();
}

void EmitReadFunction(const Model& m, CodeWriter& out, const TypeDef& def) {
  const bool uses_reader = def.kind != TypeDef::Kind::kVoid;
  out.Open(absl::StrCat("void Read(", kReader, (uses_reader ? "& r, " : "&, "), def.name,
                        (uses_reader ? "& v)" : "&)")));
  switch (def.kind) {
    case TypeDef::Kind::kAlias:
      EmitRead(m, out, def.alias, "v.value", 0, def.name);
      break;
    case TypeDef::Kind::kVoid:
      break;
    case TypeDef::Kind::kStruct:
      for (const Field& f : def.fields) EmitRead(m, out, f.type, "v." + SnakeCase(f.name), 0, def.name + "." + f.name);
      break;
    case TypeDef::Kind::kUnion:
      out.Line("const std::size_t at = r.offset();");
      out.Line("const std::uint64_t tag = r.Uint();");
      out.Line("if (!r.ok()) return;");
      out.Open("switch (tag)");
      for (std::size_t i = 0; i < def.members.size(); ++i) {
        out.Line(absl::StrCat("case ", def.members[i].tag, ": Read(r, v.emplace<", i, ">()); return;"));
      }
      out.Line("default: break;");
      out.Close();
      out.Line(absl::StrCat("r.FailAt(at, \"unknown tag \" + std::to_string(tag) + \" for union ", def.name, "\");"));
      break;
    case TypeDef::Kind::kEnum:
      out.Line("const std::size_t at = r.offset();");
      out.Line("const std::uint64_t value = r.Uint();");
      out.Line("if (!r.ok()) return;");
      out.Open("switch (value)");
      for (const EnumValue& v : def.values) {
        out.Line(absl::StrCat("case ", v.value, ": v = ", def.name, "::", EnumConstant(v.name), "; return;"));
      }
      out.Line("default: break;");
      out.Close();
      out.Line(absl::StrCat("r.FailAt(at, \"unknown value \" + std::to_string(value) + \" for enum ", def.name, "\");"));
      break;
  }
  out.Close();
  out.Line();
}

void EmitWriteFunction(const Model& m, CodeWriter& out, const TypeDef& def) {
  const bool uses_writer = def.kind != TypeDef::Kind::kVoid;
  out.Open(absl::StrCat("void Write(", kWriter, (uses_writer ? "& w, const " : "&, const "), def.name,
                        (uses_writer ? "& v)" : "&)")));
  switch (def.kind) {
    case TypeDef::Kind::kAlias:
      EmitWrite(m, out, def.alias, "v.value", 0, def.name);
      break;
    case TypeDef::Kind::kVoid:
      break;
    case TypeDef::Kind::kStruct:
      for (const Field& f : def.fields) EmitWrite(m, out, f.type, "v." + SnakeCase(f.name), 0, def.name + "." + f.name);
      break;
    case TypeDef::Kind::kUnion:
      out.Line(absl::StrCat("const ", def.name, "::Base& b = v;"));
      out.Open("switch (b.index())");
      for (std::size_t i = 0; i < def.members.size(); ++i) {
        out.Line(absl::StrCat("case ", i, ": w.Uint(", def.members[i].tag, "); Write(w, std::get<", i, ">(b)); return;"));
      }
      out.Line("default: break;");
      out.Close();
      out.Line(absl::StrCat("w.Fail(\"union ", def.name, " holds no value\");"));
      break;
    case TypeDef::Kind::kEnum:
      out.Open("switch (v)");
      for (const EnumValue& v : def.values) {
        out.Line(absl::StrCat("case ", def.name, "::", EnumConstant(v.name), ":"));
      }
      out.Indent();
      out.Line("w.Uint(static_cast<std::uint64_t>(v));");
      out.Line("return;");
      out.Dedent();
      out.Close();
      out.Line(absl::StrCat("w.Fail(\"unknown value \" + std::to_string(static_cast<std::uint64_t>(v)) + \" for enum ",
                            def.name, "\");"));
      break;
  }
  out.Close();
  out.Line();
}

std::string Header(const Model& m, const EmitOptions& o) {
  CodeWriter out;
  out.Line(absl::StrCat("// Generated by bare_codegen from ", o.schema_file, ". Do not edit."));
  out.Line("//");
  out.Line("// Types of the protocol and their BARE codec: decode a frame with");
  out.Line("// ::tether::bare::Decode<T>(bytes), encode with ::tether::bare::Encode(value).");
  out.Line(absl::StrCat("#ifndef ", Guard(o, ".h")));
  out.Line(absl::StrCat("#define ", Guard(o, ".h")));
  out.Line();
  for (const char* h : {"<array>", "<cstdint>", "<optional>", "<string>", "<variant>", "<vector>"}) {
    out.Line(absl::StrCat("#include ", h));
  }
  out.Line();
  out.Line("#include \"tether/bare/codec.h\"");
  out.Line();
  out.Line(absl::StrCat("namespace ", o.cpp_namespace, " {"));
  out.Line();
  for (const TypeDef* def : m.ordered()) EmitTypeDefinition(m, out, *def);
  for (const TypeDef* def : m.ordered()) {
    if (!m.HasCodec(*def)) continue;
    out.Line(absl::StrCat("void Read(", kReader, "& r, ", def->name, "& v);"));
    out.Line(absl::StrCat("void Write(", kWriter, "& w, const ", def->name, "& v);"));
  }
  out.Line();
  std::vector<std::string> variants;
  for (const TypeDef& def : m.schema().types) {
    for (const UnionMember& mem : def.members) {
      variants.push_back(absl::StrCat("{\"", def.name, "\", \"", mem.type_name, "\", ", mem.tag, "}"));
    }
  }
  out.Line("// Every variant of every union, in schema order.");
  out.Line(absl::StrCat("inline constexpr std::array<::tether::bare::UnionVariantInfo, ", variants.size(),
                        "> kUnionVariants = {{"));
  out.Indent();
  for (const std::string& v : variants) out.Line(v + ",");
  out.Dedent();
  out.Line("}};");
  out.Line();
  out.Line(absl::StrCat("}  // namespace ", o.cpp_namespace));
  out.Line();
  out.Line(absl::StrCat("#endif  // ", Guard(o, ".h")));
  return out.Take();
}

std::string Source(const Model& m, const EmitOptions& o) {
  CodeWriter out;
  out.Line(absl::StrCat("// Generated by bare_codegen from ", o.schema_file, ". Do not edit."));
  out.Line(absl::StrCat("#include \"", o.include_prefix, "/", o.name, ".h\""));
  out.Line();
  out.Line("#include <string>");
  out.Line();
  out.Line(absl::StrCat("namespace ", o.cpp_namespace, " {"));
  out.Line();
  for (const TypeDef* def : m.ordered()) {
    if (!m.HasCodec(*def)) continue;
    EmitReadFunction(m, out, *def);
    EmitWriteFunction(m, out, *def);
  }
  out.Line(absl::StrCat("}  // namespace ", o.cpp_namespace));
  return out.Take();
}

}  // namespace

std::vector<GeneratedFile> EmitCodec(const Model& model, const EmitOptions& options) {
  const std::string stem = absl::StrCat(options.include_prefix, "/", options.name);
  return {{stem + ".h", Header(model, options)}, {stem + ".cc", Source(model, options)}};
}

}  // namespace tether::codegen
