// `tether proto`: turns runner-protocol frames into JSON and back, for people reading frames from
// logs or packet captures.
//
//   tether proto decode --type ToClient [--binary] [--compact] [--protocol runner-v7]
//       reads one frame from stdin (hex, whitespace ignored; raw bytes with --binary) and prints
//       it as JSON (mapping in tether/bare/json_codec.h)
//   tether proto encode --type ToClient [--binary] [--protocol runner-v7]
//       reads that JSON from stdin and prints the frame as hex (raw bytes with --binary)
//   tether proto types [--protocol runner-v7]
//       lists the type names --type accepts
//
// Exit status: 0 on success, 1 when the input is invalid (the decoder's message on stderr),
// 2 on a usage error.
#ifndef TETHER_TUNNEL_PROTO_COMMAND_H_
#define TETHER_TUNNEL_PROTO_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace tether::cli {

// `args` are the words after "proto". Threading: uses only the given streams.
int RunProtoCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace tether::cli

#endif  // TETHER_TUNNEL_PROTO_COMMAND_H_
