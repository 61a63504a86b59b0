// A program outside the tether tree: decodes a ToClientInit frame the real engine sent.
#include <cstdio>
#include <variant>

#include "tether/bare/codec.h"
#include "tether/proto/runner_protocol_v7.h"
#include "tether/proto/runner_protocol_v7_json.h"

int main() {
  const tether::bare::Bytes frame = {0x00, 0x1e, '5', 'r', '7', 'n', 'j', 'z', 'x', '3', 'y', 'd', '2', '9', 'm', 'a',
                                     '2', 't', 'k', 'v', '8', 'k', 'g', 'v', '4', 'e', 'a', 'd', 'b', 'l', '0', '0',
                                     0x98, 0x3a, 0, 0, 0, 0, 0, 0, 0x40, 0x77, 0x1b, 0, 0, 0, 0, 0, 0};
  const auto message = tether::bare::Decode<tether::proto::v7::ToClient>(frame);
  if (!message.ok() || !std::holds_alternative<tether::proto::v7::ToClientInit>(*message)) return 1;
  const auto& init = std::get<tether::proto::v7::ToClientInit>(*message);
  std::printf("runner %s lost after %lld ms\n", init.runner_id.c_str(),
              static_cast<long long>(init.metadata.runner_lost_threshold));
  return tether::proto::v7::JsonCodecs().empty() ? 1 : 0;
}
