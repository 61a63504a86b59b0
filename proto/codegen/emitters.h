// Turns a schema model into C++ source. The codec files hold the types and their BARE
// Read/Write functions; the JSON files hold the JSON mapping and the per-type codec table used by
// `tether proto` and the conformance tests, kept apart so the runner does not link a JSON library.
#ifndef TETHER_PROTO_CODEGEN_EMITTERS_H_
#define TETHER_PROTO_CODEGEN_EMITTERS_H_

#include <string>
#include <vector>

#include "model.h"

namespace tether::codegen {

struct EmitOptions {
  std::string name;            // file stem, e.g. "runner_protocol_v7"
  std::string include_prefix;  // e.g. "tether/proto"
  std::string cpp_namespace;   // e.g. "tether::proto::v7"
  std::string schema_file;     // named in the "generated from" banner
};

struct GeneratedFile {
  std::string relative_path;  // under the output directory
  std::string content;
};

std::vector<GeneratedFile> EmitCodec(const Model& model, const EmitOptions& options);
std::vector<GeneratedFile> EmitJson(const Model& model, const EmitOptions& options);

}  // namespace tether::codegen

#endif  // TETHER_PROTO_CODEGEN_EMITTERS_H_
