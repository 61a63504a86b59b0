#include "proto_command.h"

#include <cctype>
#include <cstdint>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <span>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
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

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<bare::Bytes> ParseHex(std::string_view text) {
  bare::Bytes bytes;
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) continue;
    const int v = HexValue(text[i]);
    if (v < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid hex input: '", absl::string_view(&text[i], 1), "' at character ", i));
    }
    if (high < 0) {
      high = v;
    } else {
      bytes.push_back(static_cast<std::uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) return absl::InvalidArgumentError("invalid hex input: odd number of hex digits");
  return bytes;
}

std::string ToHex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    hex += kDigits[b >> 4];
    hex += kDigits[b & 0xf];
  }
  return hex;
}

int Decode(const bare::JsonTypeCodec& codec, const Options& options, const std::string& input, std::ostream& out,
           std::ostream& err) {
  absl::StatusOr<bare::Bytes> bytes =
      options.binary ? absl::StatusOr<bare::Bytes>(bare::Bytes(input.begin(), input.end())) : ParseHex(input);
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
    out << ToHex(*bytes) << "\n";
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
