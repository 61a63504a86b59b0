#include "proto_command.h"

#include <cstdint>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <span>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "tether/bare/hex.h"
#include "tether/bare/json_codec.h"
#include "tether/proto/runner_protocol_v7_json.h"

namespace tether::cli {
namespace {

constexpr int kInvalidInput = 1;
constexpr int kUsage = 2;

constexpr char kUsageText[] =
    "usage: tether proto decode --type TYPE [--binary] [--compact] [--protocol runner-v7]\n"
    "       tether proto encode --type TYPE [--binary] [--protocol runner-v7]\n"
    "       tether proto types [--protocol runner-v7]\n"
    "TYPE is a message type such as ToClient (engine to runner) or ToServer (runner to engine).\n";

struct Protocol {
  std::string_view name;
  std::span<const bare::JsonTypeCodec> (*codecs)();
};

// A newer protocol (the engine's envoy protocol) is one more entry here.
constexpr Protocol kProtocols[] = {{"runner-v7", &proto::v7::JsonCodecs}};

struct Options {
  std::string verb;
  std::string type;
  std::string protocol = "runner-v7";
  bool binary = false;
  bool compact = false;
};

std::optional<Options> ParseOptions(const std::vector<std::string>& args, std::ostream& err) {
  if (args.empty()) {
    err << kUsageText;
    return std::nullopt;
  }
  Options options;
  options.verb = args[0];
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--binary") {
      options.binary = true;
    } else if (arg == "--compact") {
      options.compact = true;
    } else if ((arg == "--type" || arg == "--protocol") && i + 1 < args.size()) {
      (arg == "--type" ? options.type : options.protocol) = args[++i];
    } else {
      err << "tether proto: unexpected argument '" << arg << "'\n" << kUsageText;
      return std::nullopt;
    }
  }
  if (options.verb != "decode" && options.verb != "encode" && options.verb != "types") {
    err << "tether proto: unknown command '" << options.verb << "'\n" << kUsageText;
    return std::nullopt;
  }
  if (options.verb != "types" && options.type.empty()) {
    err << "tether proto " << options.verb << ": --type is required\n" << kUsageText;
    return std::nullopt;
  }
  return options;
}

const Protocol* FindProtocol(std::string_view name) {
  for (const Protocol& p : kProtocols) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const bare::JsonTypeCodec* FindCodec(const Protocol& protocol, std::string_view type) {
  for (const bare::JsonTypeCodec& codec : protocol.codecs()) {
    if (codec.type_name == type) return &codec;
  }
  return nullptr;
}

int Decode(const bare::JsonTypeCodec& codec, const Options& options, const std::string& input, std::ostream& out,
           std::ostream& err) {
  absl::StatusOr<bare::Bytes> bytes =
      options.binary ? absl::StatusOr<bare::Bytes>(bare::Bytes(input.begin(), input.end()))
                     : bare::HexDecode(input, /*skip_whitespace=*/true);
  absl::StatusOr<std::string> json =
      bytes.ok() ? codec.bare_to_json(*bytes, bare::Limits{}, options.compact ? -1 : 2) : bytes.status();
  if (!json.ok()) {
    err << "tether proto decode: " << codec.type_name << ": " << json.status().message() << "\n";
    return kInvalidInput;
  }
  out << *json << "\n";
  return 0;
}

int Encode(const bare::JsonTypeCodec& codec, const Options& options, const std::string& input, std::ostream& out,
           std::ostream& err) {
  absl::StatusOr<bare::Bytes> bytes = codec.json_to_bare(input);
  if (!bytes.ok()) {
    err << "tether proto encode: " << codec.type_name << ": " << bytes.status().message() << "\n";
    return kInvalidInput;
  }
  if (options.binary) {
    out.write(reinterpret_cast<const char*>(bytes->data()), static_cast<std::streamsize>(bytes->size()));
  } else {
    out << bare::HexEncode(*bytes) << "\n";
  }
  return 0;
}

}  // namespace

int RunProtoCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  const std::optional<Options> options = ParseOptions(args, err);
  if (!options) return kUsage;
  const Protocol* protocol = FindProtocol(options->protocol);
  if (protocol == nullptr) {
    err << "tether proto: unknown protocol '" << options->protocol << "' (known: runner-v7)\n";
    return kUsage;
  }
  if (options->verb == "types") {
    for (const bare::JsonTypeCodec& codec : protocol->codecs()) out << codec.type_name << "\n";
    return 0;
  }
  const bare::JsonTypeCodec* codec = FindCodec(*protocol, options->type);
  if (codec == nullptr) {
    err << "tether proto: unknown type '" << options->type << "' (see: tether proto types)\n";
    return kUsage;
  }
  const std::string input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return options->verb == "decode" ? Decode(*codec, *options, input, out, err)
                                   : Encode(*codec, *options, input, out, err);
}

}  // namespace tether::cli
