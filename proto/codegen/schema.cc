#include "schema.h"

#include <cctype>
#include <map>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tether::codegen {
namespace {

const std::set<std::string_view>& PrimitiveNames() {
  static const std::set<std::string_view> names = {"u8",  "u16", "u32", "u64", "i8",   "i16",
                                                   "i32", "i64", "f32", "f64", "bool", "uint",
                                                   "int"};
  return names;
}

struct Token {
  enum class Kind { kWord, kNumber, kPunct, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;
  int line = 0;
  std::vector<std::string> doc;  // comment lines right above this token
};

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::vector<std::string> pending_doc;
  int line = 1;
  bool line_has_content = false;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      // A blank line between a comment and the next declaration detaches the comment.
      if (!line_has_content) pending_doc.clear();
      line_has_content = false;
      ++line;
      ++i;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    line_has_content = true;
    if (c == '#') {
      const std::size_t end = text.find('\n', i);
      std::string_view comment = text.substr(i + 1, end == std::string_view::npos ? end : end - i - 1);
      if (!comment.empty() && comment.front() == ' ') comment.remove_prefix(1);
      pending_doc.emplace_back(comment);
      i = end == std::string_view::npos ? text.size() : end;
      continue;
    }
    Token token;
    token.line = line;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
      token.kind = Token::Kind::kWord;
      token.text = text.substr(i, j - i);
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t j = i;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
      token.kind = Token::Kind::kNumber;
      token.text = text.substr(i, j - i);
      i = j;
    } else {
      token.kind = Token::Kind::kPunct;
      token.text = std::string(1, c);
      ++i;
    }
    token.doc = std::move(pending_doc);
    pending_doc.clear();
    tokens.push_back(std::move(token));
  }
  Token end;
  end.line = line;
  tokens.push_back(end);
  return tokens;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  absl::StatusOr<Schema> Parse() {
    Schema schema;
    while (Peek().kind != Token::Kind::kEnd && error_.empty()) {
      schema.types.push_back(ParseTypeDef());
    }
    if (!error_.empty()) return absl::InvalidArgumentError(error_);
    return schema;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (t.kind != Token::Kind::kEnd) ++pos_;
    return t;
  }
  bool IsPunct(const std::string& p) const {
    return Peek().kind == Token::Kind::kPunct && Peek().text == p;
  }
  void Fail(std::string message) {
    if (error_.empty()) error_ = absl::StrCat("line ", Peek().line, ": ", message);
    pos_ = tokens_.size() - 1;
  }
  void Expect(const std::string& p) {
    if (!IsPunct(p)) Fail(absl::StrCat("expected '", p, "', found '", Peek().text, "'"));
    Next();
  }
  std::string Word(const std::string& what) {
    if (Peek().kind != Token::Kind::kWord) Fail(absl::StrCat("expected ", what, ", found '", Peek().text, "'"));
    return Next().text;
  }
  std::uint64_t Number() {
    if (Peek().kind != Token::Kind::kNumber) Fail(absl::StrCat("expected a number, found '", Peek().text, "'"));
    const std::string text = Next().text;
    if (text.size() > 18) Fail("number too large");
    return text.empty() ? 0 : std::stoull(text);
  }

  TypeDef ParseTypeDef() {
    TypeDef def;
    def.doc = Peek().doc;
    if (Word("'type'") != "type") Fail("expected 'type'");
    def.name = Word("a type name");
    if (Peek().kind == Token::Kind::kWord && Peek().text == "struct") {
      Next();
      def.kind = TypeDef::Kind::kStruct;
      ParseStruct(def);
    } else if (Peek().kind == Token::Kind::kWord && Peek().text == "union") {
      Next();
      def.kind = TypeDef::Kind::kUnion;
      ParseUnion(def);
    } else if (Peek().kind == Token::Kind::kWord && Peek().text == "enum") {
      Next();
      def.kind = TypeDef::Kind::kEnum;
      ParseEnum(def);
    } else {
      def.alias = ParseType();
      def.kind = def.alias.kind == TypeExpr::Kind::kVoid ? TypeDef::Kind::kVoid : TypeDef::Kind::kAlias;
    }
    return def;
  }

  void ParseStruct(TypeDef& def) {
    Expect("{");
    while (!IsPunct("}") && error_.empty()) {
      Field field;
      field.doc = Peek().doc;
      field.name = Word("a field name");
      Expect(":");
      field.type = ParseType();
      def.fields.push_back(std::move(field));
    }
    Expect("}");
  }

  void ParseUnion(TypeDef& def) {
    Expect("{");
    std::uint64_t next_tag = 0;
    while (!IsPunct("}") && error_.empty()) {
      UnionMember member;
      member.type_name = Word("a union member type");
      member.tag = next_tag;
      if (IsPunct("=")) {
        Next();
        member.tag = Number();
      }
      next_tag = member.tag + 1;
      def.members.push_back(member);
      if (IsPunct("|")) Next();
    }
    Expect("}");
  }

  void ParseEnum(TypeDef& def) {
    Expect("{");
    std::uint64_t next_value = 0;
    while (!IsPunct("}") && error_.empty()) {
      EnumValue value;
      value.name = Word("an enum value name");
      value.value = next_value;
      if (IsPunct("=")) {
        Next();
        value.value = Number();
      }
      next_value = value.value + 1;
      def.values.push_back(value);
    }
    Expect("}");
  }

  TypeExpr ParseType() {
    TypeExpr type;
    type.name = Word("a type");
    if (type.name == "str") {
      type.kind = TypeExpr::Kind::kStr;
    } else if (type.name == "void") {
      type.kind = TypeExpr::Kind::kVoid;
    } else if (type.name == "data") {
      type.kind = TypeExpr::Kind::kData;
      if (IsPunct("[")) {
        Next();
        type.kind = TypeExpr::Kind::kFixedData;
        type.length = static_cast<std::size_t>(Number());
        Expect("]");
      }
    } else if (type.name == "optional" || type.name == "list") {
      type.kind = type.name == "optional" ? TypeExpr::Kind::kOptional : TypeExpr::Kind::kList;
      Expect("<");
      type.args.push_back(ParseType());
      Expect(">");
      if (IsPunct("[")) Fail("fixed-length lists are not supported");
    } else if (type.name == "map") {
      type.kind = TypeExpr::Kind::kMap;
      for (int i = 0; i < 2; ++i) {
        Expect("<");
        type.args.push_back(ParseType());
        Expect(">");
      }
    } else if (PrimitiveNames().contains(type.name)) {
      type.kind = TypeExpr::Kind::kPrimitive;
    } else {
      type.kind = TypeExpr::Kind::kNamed;
    }
    return type;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::string error_;
};

absl::Status CheckNames(const Schema& schema, const TypeExpr& type, const std::string& where) {
  if (type.kind == TypeExpr::Kind::kNamed && schema.Find(type.name) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(where, " refers to undefined type ", type.name));
  }
  if (type.kind == TypeExpr::Kind::kMap && type.args[0].kind != TypeExpr::Kind::kStr) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": only str map keys are supported"));
  }
  for (const TypeExpr& arg : type.args) {
    if (absl::Status s = CheckNames(schema, arg, where); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status CheckTypeDef(const Schema& schema, const TypeDef& def) {
  if (def.kind == TypeDef::Kind::kAlias) return CheckNames(schema, def.alias, def.name);
  std::set<std::string> names;
  std::set<std::uint64_t> numbers;
  auto unique = [&](const std::string& name, std::uint64_t number, bool numbered) {
    if (!names.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat(def.name, " repeats ", name));
    }
    if (numbered && !numbers.insert(number).second) {
      return absl::InvalidArgumentError(absl::StrCat(def.name, " repeats tag/value ", number));
    }
    return absl::OkStatus();
  };
  for (const Field& f : def.fields) {
    if (absl::Status s = unique(f.name, 0, false); !s.ok()) return s;
    if (absl::Status s = CheckNames(schema, f.type, absl::StrCat(def.name, ".", f.name)); !s.ok()) return s;
  }
  for (const UnionMember& m : def.members) {
    if (absl::Status s = unique(m.type_name, m.tag, true); !s.ok()) return s;
    const TypeDef* member = schema.Find(m.type_name);
    if (member == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(def.name, " has undefined member ", m.type_name));
    }
  }
  for (const EnumValue& v : def.values) {
    if (absl::Status s = unique(v.name, v.value, true); !s.ok()) return s;
  }
  if (def.kind == TypeDef::Kind::kUnion && def.members.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("union ", def.name, " has no members"));
  }
  return absl::OkStatus();
}

}  // namespace

const TypeDef* Schema::Find(std::string_view name) const {
  for (const TypeDef& t : types) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

absl::StatusOr<Schema> ParseSchema(std::string_view text) {
  absl::StatusOr<Schema> schema = Parser(Tokenize(text)).Parse();
  if (!schema.ok()) return schema;
  std::set<std::string> seen;
  for (const TypeDef& def : schema->types) {
    if (!seen.insert(def.name).second) {
      return absl::InvalidArgumentError(absl::StrCat("type ", def.name, " is defined twice"));
    }
    if (absl::Status s = CheckTypeDef(*schema, def); !s.ok()) return s;
  }
  return schema;
}

}  // namespace tether::codegen
