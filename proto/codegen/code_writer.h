// Accumulates generated source text with indentation.
#ifndef TETHER_PROTO_CODEGEN_CODE_WRITER_H_
#define TETHER_PROTO_CODEGEN_CODE_WRITER_H_

#include <cctype>
#include <string>
#include <string_view>

namespace tether::codegen {

class CodeWriter {
 public:
  // Writes one line at the current indentation (an empty line stays empty).
  void Line(std::string_view text = {}) {
    if (!text.empty()) text_.append(static_cast<std::size_t>(indent_) * 2, ' ');
    text_.append(text);
    text_ += '\n';
  }
  void Indent() { ++indent_; }
  void Dedent() { --indent_; }
  // Opens a block: writes `head` followed by " {" and indents.
  void Open(std::string_view head) {
    Line(std::string(head) + " {");
    Indent();
  }
  void Close(std::string_view tail = "}") {
    Dedent();
    Line(tail);
  }
  std::string Take() { return std::move(text_); }

 private:
  std::string text_;
  int indent_ = 0;
};

// The include guard for a header at `path`: "tether/proto/x.h" -> "TETHER_PROTO_X_H_".
inline std::string IncludeGuard(std::string_view path) {
  std::string guard;
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    guard += std::isalnum(u) ? static_cast<char>(std::toupper(u)) : '_';
  }
  return guard + "_";
}

}  // namespace tether::codegen

#endif  // TETHER_PROTO_CODEGEN_CODE_WRITER_H_
