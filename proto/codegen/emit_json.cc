
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "code_writer.h"
#include "emitters.h"

namespace tether::codegen {
namespace {

constexpr char kJson[] = "::tether::bare::json::Json";
constexpr char kContext[] = "::tether::bare::json::FromJsonContext";

bool IsWide(const std::string& primitive) {
  return primitive == "u64" || primitive == "i64" || primitive == "uint" || primitive == "int";
}

std::string Quote(const std::string& s) { return absl::StrCat("\"", s, "\""); }

// Emits statements that store the JSON form of `source` into the Json lvalue `target`.
void EmitToJson(const Model& m, CodeWriter& out, const TypeExpr& raw, const std::string& source,
                const std::string& target, int depth) {
  const TypeExpr& type = m.Expand(raw);
  const std::string d = std::to_string(depth);
  switch (type.kind) {
    case TypeExpr::Kind::kPrimitive:
      out.Line(IsWide(type.name) ? absl::StrCat(target, " = std::to_string(", source, ");")
                                 : absl::StrCat(target, " = ", source, ";"));
      return;
    case TypeExpr::Kind::kStr:
      out.Line(absl::StrCat(target, " = ", source, ";"));
      return;
    case TypeExpr::Kind::kData:
    case TypeExpr::Kind::kFixedData:
      out.Line(absl::StrCat(target, " = ::tether::bare::json::HexString(", source, ");"));
      return;
    case TypeExpr::Kind::kVoid:
      out.Line(target + " = nullptr;");
      return;
    case TypeExpr::Kind::kNamed:
      out.Line(absl::StrCat("ToJson(", source, ", ", target, ");"));
      return;
    case TypeExpr::Kind::kOptional:
      out.Open(absl::StrCat("if (", source, ".has_value())"));
      EmitToJson(m, out, type.args[0], "(*" + source + ")", target, depth + 1);
      out.Close("} else {");
      out.Indent();
      out.Line(target + " = nullptr;");
      out.Close();
      return;
    case TypeExpr::Kind::kList:
      out.Open("");
      out.Line(absl::StrCat(kJson, "& a", d, " = ", target, " = ", kJson, "::array();"));
      out.Open(absl::StrCat("for (const auto& x", d, " : ", source, ")"));
      out.Line(absl::StrCat("a", d, ".push_back(nullptr);"));
      EmitToJson(m, out, type.args[0], "x" + d, absl::StrCat("a", d, ".back()"), depth + 1);
      out.Close();
      out.Close();
      return;
    case TypeExpr::Kind::kMap:
      out.Open("");
      out.Line(absl::StrCat(kJson, "& o", d, " = ", target, " = ", kJson, "::object();"));
      out.Open(absl::StrCat("for (const auto& [k", d, ", v", d, "] : ", source, ")"));
      EmitToJson(m, out, type.args[1], "v" + d, absl::StrCat("o", d, "[k", d, "]"), depth + 1);
      out.Close();
      out.Close();
      return;
  }
}

// Emits statements that convert the Json expression `source` into the C++ lvalue `target`.
void EmitFromJson(const Model& m, CodeWriter& out, const TypeExpr& raw, const std::string& source,
                  const std::string& target, int depth) {
  const TypeExpr& type = m.Expand(raw);
  const std::string d = std::to_string(depth);
  switch (type.kind) {
    case TypeExpr::Kind::kPrimitive:
      if (type.name == "bool") {
        out.Line(absl::StrCat(target, " = c.Boolean(", source, ");"));
      } else if (type.name == "f32" || type.name == "f64") {
        out.Line(absl::StrCat(target, " = static_cast<", m.CppType(type), ">(c.Float(", source, "));"));
      } else {
        out.Line(absl::StrCat(target, " = c.Integer<", m.CppType(type), ">(", source, ");"));
      }
      return;
    case TypeExpr::Kind::kStr:
      out.Line(absl::StrCat(target, " = c.String(", source, ");"));
      return;
    case TypeExpr::Kind::kData:
      out.Line(absl::StrCat("c.Hex(", source, ", ", target, ");"));
      return;
    case TypeExpr::Kind::kFixedData:
      out.Line(absl::StrCat("c.FixedHex(", source, ", ", target, ");"));
      return;
    case TypeExpr::Kind::kVoid:
      out.Line(absl::StrCat("c.ExpectNull(", source, ");"));
      return;
    case TypeExpr::Kind::kNamed:
      out.Line(absl::StrCat("FromJson(c, ", source, ", ", target, ");"));
      return;
    case TypeExpr::Kind::kOptional:
      out.Open("");
      out.Line(absl::StrCat("const ", kJson, "& s", d, " = ", source, ";"));
      out.Open(absl::StrCat("if (s", d, ".is_null())"));
      out.Line(target + ".reset();");
      out.Close("} else {");
      out.Indent();
      out.Line(absl::StrCat("auto& x", d, " = ", target, ".emplace();"));
      EmitFromJson(m, out, type.args[0], "s" + d, "x" + d, depth + 1);
      out.Close();
      out.Close();
      return;
    case TypeExpr::Kind::kList:
      out.Open("");
      out.Line(absl::StrCat("const ", kJson, "& a", d, " = c.Array(", source, ");"));
      out.Line(target + ".clear();");
      out.Line(absl::StrCat(target, ".reserve(a", d, ".size());"));
      out.Open(absl::StrCat("for (std::size_t i", d, " = 0; i", d, " < a", d, ".size(); ++i", d, ")"));
      out.Line(absl::StrCat("auto scope", d, " = c.Index(i", d, ");"));
      out.Line(absl::StrCat("auto& x", d, " = ", target, ".emplace_back();"));
      EmitFromJson(m, out, type.args[0], absl::StrCat("a", d, "[i", d, "]"), "x" + d, depth + 1);
      out.Close();
      out.Close();
      return;
    case TypeExpr::Kind::kMap:
      out.Open("");
      out.Line(absl::StrCat("const ", kJson, "& o", d, " = c.Object(", source, ");"));
      out.Line(target + ".clear();");
      out.Line(absl::StrCat(target, ".reserve(o", d, ".size());"));
      out.Open(absl::StrCat("for (auto it", d, " = o", d, ".begin(); it", d, " != o", d, ".end(); ++it", d, ")"));
      out.Line(absl::StrCat("auto scope", d, " = c.Key(it", d, ".key());"));
      out.Line(absl::StrCat("auto& e", d, " = ", target, ".emplace_back();"));
      out.Line(absl::StrCat("e", d, ".first = it", d, ".key();"));
      EmitFromJson(m, out, type.args[1], absl::StrCat("it", d, ".value()"), "e" + d + ".second", depth + 1);
      out.Close();
      out.Close();
      return;
  }
}

void EmitToJsonFunction(const Model& m, CodeWriter& out, const TypeDef& def) {
  const bool uses_value = def.kind != TypeDef::Kind::kVoid;
  out.Open(absl::StrCat("void ToJson(const ", def.name, (uses_value ? "& v, " : "&, "), kJson, "& j)"));
  switch (def.kind) {
    case TypeDef::Kind::kAlias:
      EmitToJson(m, out, def.alias, "v.value", "j", 0);
      break;
    case TypeDef::Kind::kVoid:
      out.Line("j = nullptr;");
      break;
    case TypeDef::Kind::kStruct:
      out.Line(absl::StrCat("j = ", kJson, "::object();"));
      for (const Field& f : def.fields) {
        EmitToJson(m, out, f.type, "v." + SnakeCase(f.name), absl::StrCat("j[", Quote(f.name), "]"), 0);
      }
      break;
    case TypeDef::Kind::kUnion:
      out.Line(absl::StrCat("const ", def.name, "::Base& b = v;"));
      out.Line(absl::StrCat("j = ", kJson, "::object();"));
      out.Open("switch (b.index())");
      for (std::size_t i = 0; i < def.members.size(); ++i) {
        out.Line(absl::StrCat("case ", i, ": j[\"tag\"] = ", Quote(def.members[i].type_name), "; ToJson(std::get<", i,
                              ">(b), j[\"val\"]); return;"));
      }
      out.Line("default: j = nullptr;");
      out.Close();
      break;
    case TypeDef::Kind::kEnum:
      out.Open("switch (v)");
      for (const EnumValue& v : def.values) {
        out.Line(absl::StrCat("case ", def.name, "::", EnumConstant(v.name), ": j = ", Quote(JsonEnumName(v.name)),
                              "; return;"));
      }
      out.Close();
      out.Line("j = static_cast<std::uint64_t>(v);");
      break;
  }
  out.Close();
  out.Line();
}

void EmitFromJsonFunction(const Model& m, CodeWriter& out, const TypeDef& def) {
  out.Open(absl::StrCat("void FromJson(", kContext, "& c, const ", kJson, "& j, ", def.name,
                        (def.kind == TypeDef::Kind::kVoid ? "&)" : "& v)")));
  switch (def.kind) {
    case TypeDef::Kind::kAlias:
      EmitFromJson(m, out, def.alias, "j", "v.value", 0);
      break;
    case TypeDef::Kind::kVoid:
      out.Line("c.ExpectNull(j);");
      break;
    case TypeDef::Kind::kStruct: {
      std::vector<std::string> keys;
      for (const Field& f : def.fields) keys.push_back(Quote(f.name));
      out.Line(absl::StrCat("c.ExpectObject(j, {", absl::StrJoin(keys, ", "), "});"));
      for (const Field& f : def.fields) {
        const bool optional = m.Expand(f.type).kind == TypeExpr::Kind::kOptional;
        out.Open("");
        out.Line(absl::StrCat("auto scope = c.Field(", Quote(f.name), ");"));
        EmitFromJson(m, out, f.type,
                     absl::StrCat(optional ? "c.OptionalMember(j, " : "c.Member(j, ", Quote(f.name), ")"),
                     "v." + SnakeCase(f.name), 0);
        out.Close();
      }
      break;
    }
    case TypeDef::Kind::kUnion:
      out.Line("c.ExpectObject(j, {\"tag\", \"val\"});");
      out.Line("std::string tag;");
      out.Open("");
      out.Line("auto scope = c.Field(\"tag\");");
      out.Line("tag = c.String(c.Member(j, \"tag\"));");
      out.Close();
      out.Line("auto scope = c.Field(\"val\");");
      out.Line("const auto& val = c.OptionalMember(j, \"val\");");
      for (std::size_t i = 0; i < def.members.size(); ++i) {
        out.Line(absl::StrCat("if (tag == ", Quote(def.members[i].type_name), ") return FromJson(c, val, v.emplace<", i,
                              ">());"));
      }
      out.Line(absl::StrCat("c.Fail(\"unknown tag \\\"\" + tag + \"\\\" for union ", def.name, "\");"));
      break;
    case TypeDef::Kind::kEnum:
      out.Line("const std::string name = c.String(j);");
      for (const EnumValue& v : def.values) {
        out.Line(absl::StrCat("if (name == ", Quote(JsonEnumName(v.name)), ") { v = ", def.name, "::",
                              EnumConstant(v.name), "; return; }"));
      }
      out.Line(absl::StrCat("c.Fail(\"unknown value \\\"\" + name + \"\\\" for enum ", def.name, "\");"));
      break;
  }
  out.Close();
  out.Line();
}

std::string Header(const EmitOptions& o) {
  CodeWriter out;
  const std::string guard = IncludeGuard(absl::StrCat(o.include_prefix, "/", o.name, "_json.h"));
  out.Line(absl::StrCat("// Generated by bare_codegen from ", o.schema_file, ". Do not edit."));
  out.Line("//");
  out.Line("// The JSON form of every struct, union and enum of the schema (mapping in");
  out.Line("// tether/bare/json_codec.h), for tools that show frames to people.");
  out.Line(absl::StrCat("#ifndef ", guard));
  out.Line(absl::StrCat("#define ", guard));
  out.Line();
  out.Line("#include <span>");
  out.Line();
  out.Line("#include \"tether/bare/json_codec.h\"");
  out.Line();
  out.Line(absl::StrCat("namespace ", o.cpp_namespace, " {"));
  out.Line();
  out.Line("// One codec per named type, in schema order.");
  out.Line("std::span<const ::tether::bare::JsonTypeCodec> JsonCodecs();");
  out.Line();
  out.Line(absl::StrCat("}  // namespace ", o.cpp_namespace));
  out.Line();
  out.Line(absl::StrCat("#endif  // ", guard));
  return out.Take();
}

std::string Source(const Model& m, const EmitOptions& o) {
  CodeWriter out;
  out.Line(absl::StrCat("// Generated by bare_codegen from ", o.schema_file, ". Do not edit."));
  out.Line(absl::StrCat("#include \"", o.include_prefix, "/", o.name, "_json.h\""));
  out.Line();
  out.Line("#include <array>");
  out.Line("#include <string>");
  out.Line();
  out.Line("#include \"json_support.h\"");
  out.Line(absl::StrCat("#include \"", o.include_prefix, "/", o.name, ".h\""));
  out.Line();
  out.Line(absl::StrCat("namespace ", o.cpp_namespace, " {"));
  out.Line("namespace {");
  out.Line();
  std::vector<const TypeDef*> types;
  for (const TypeDef* def : m.ordered()) {
    if (m.HasCodec(*def)) types.push_back(def);
  }
  for (const TypeDef* def : types) {
    out.Line(absl::StrCat("void ToJson(const ", def->name, "& v, ", kJson, "& j);"));
    out.Line(absl::StrCat("void FromJson(", kContext, "& c, const ", kJson, "& j, ", def->name, "& v);"));
  }
  out.Line();
  for (const TypeDef* def : types) {
    EmitToJsonFunction(m, out, *def);
    EmitFromJsonFunction(m, out, *def);
  }
  out.Line("}  // namespace");
  out.Line();
  out.Open("std::span<const ::tether::bare::JsonTypeCodec> JsonCodecs()");
  out.Line(absl::StrCat("static constexpr std::array<::tether::bare::JsonTypeCodec, ", types.size(), "> kCodecs = {{"));
  out.Indent();
  for (const TypeDef& def : m.schema().types) {
    if (!m.HasCodec(def)) continue;
    out.Line(absl::StrCat("{", Quote(def.name), ", &::tether::bare::json::BareToJson<", def.name, ", &ToJson>, ",
                          "&::tether::bare::json::JsonToBare<", def.name, ", &FromJson>},"));
  }
  out.Dedent();
  out.Line("}};");
  out.Line("return kCodecs;");
  out.Close();
  out.Line();
  out.Line(absl::StrCat("}  // namespace ", o.cpp_namespace));
  return out.Take();
}

}  // namespace

std::vector<GeneratedFile> EmitJson(const Model& model, const EmitOptions& options) {
  const std::string stem = absl::StrCat(options.include_prefix, "/", options.name, "_json");
  return {{stem + ".h", Header(options)}, {stem + ".cc", Source(model, options)}};
}

}  // namespace tether::codegen
