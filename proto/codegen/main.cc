// bare_codegen: generates the C++ types, BARE codec and JSON mapping of one BARE schema.
//
//   bare_codegen --schema F.bare --out-dir DIR --name STEM --namespace NS --include-prefix P
//
// writes DIR/P/STEM.h, STEM.cc, STEM_json.h and STEM_json.cc. Files whose content would not
// change are left untouched so that a schema edit rebuilds only what it must.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "emitters.h"
#include "model.h"
#include "schema.h"

namespace {

using tether::codegen::GeneratedFile;

bool ReadFile(const std::filesystem::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

bool WriteIfChanged(const std::filesystem::path& path, const std::string& content) {
  std::string existing;
  if (ReadFile(path, existing) && existing == content) return true;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return static_cast<bool>(out);
}

int Fail(const std::string& message) {
  std::cerr << "bare_codegen: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  for (const char* required : {"--schema", "--out-dir", "--name", "--namespace", "--include-prefix"}) {
    if (!flags.contains(required)) {
      return Fail(std::string("missing ") + required +
                  " (usage: bare_codegen --schema F.bare --out-dir DIR --name STEM --namespace NS --include-prefix P)");
    }
  }
  const std::filesystem::path schema_path = flags["--schema"];
  std::string text;
  if (!ReadFile(schema_path, text)) return Fail("cannot read " + schema_path.string());
  absl::StatusOr<tether::codegen::Schema> schema = tether::codegen::ParseSchema(text);
  if (!schema.ok()) return Fail(schema_path.string() + ": " + std::string(schema.status().message()));
  absl::StatusOr<tether::codegen::Model> model = tether::codegen::Model::Build(*schema);
  if (!model.ok()) return Fail(schema_path.string() + ": " + std::string(model.status().message()));

  const tether::codegen::EmitOptions options{flags["--name"], flags["--include-prefix"], flags["--namespace"],
                                             schema_path.filename().string()};
  std::vector<GeneratedFile> files = tether::codegen::EmitCodec(*model, options);
  for (GeneratedFile& f : tether::codegen::EmitJson(*model, options)) files.push_back(std::move(f));
  for (const GeneratedFile& f : files) {
    const std::filesystem::path path = std::filesystem::path(flags["--out-dir"]) / f.relative_path;
    if (!WriteIfChanged(path, f.content)) return Fail("cannot write " + path.string());
  }
  return 0;
}
