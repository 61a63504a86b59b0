// Encode and decode times of the official TypeScript codec (@rivetkit/engine-runner-protocol
// 2.3.10) for the messages of bench/codec/codec_messages.cc, the same values.
//
//   node official_codec_bench.mjs [--min-ms N]
//
// Prints one JSON object: {"<message>": {"hex": ..., "encode_ns": ..., "decode_ns": ...}}. Each
// time is the best of 5 batches, each batch looping for at least --min-ms (default 200) after a
// warm-up of the same length, so the JIT has compiled the hot paths.
import * as protocol from "@rivetkit/engine-runner-protocol";

const ACTOR_ID = "5r7njzx3yd29ma2tkv8kgv4eadbl00";

function counting(n) {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = i;
  return bytes.buffer;
}

function messageId(index) {
  return {
    gatewayId: new Uint8Array([0xde, 0xad, 0xbe, 0xef]).buffer,
    requestId: new Uint8Array([0x01, 0x02, 0x03, 0x04]).buffer,
    messageIndex: index,
  };
}

const messages = {
  client_ws_message: {
    encode: protocol.encodeToClient,
    decode: protocol.decodeToClient,
    value: {
      tag: "ToClientTunnelMessage",
      val: { messageId: messageId(7), messageKind: { tag: "ToClientWebSocketMessage", val: { data: counting(32), binary: true } } },
    },
  },
  server_ws_message: {
    encode: protocol.encodeToServer,
    decode: protocol.decodeToServer,
    value: {
      tag: "ToServerTunnelMessage",
      val: { messageId: messageId(7), messageKind: { tag: "ToServerWebSocketMessage", val: { data: counting(32), binary: true } } },
    },
  },
  request_start: {
    encode: protocol.encodeToClient,
    decode: protocol.decodeToClient,
    value: {
      tag: "ToClientTunnelMessage",
      val: {
        messageId: messageId(0),
        messageKind: {
          tag: "ToClientRequestStart",
          val: {
            actorId: ACTOR_ID,
            method: "POST",
            path: "/echo",
            headers: new Map([
              ["host", "127.0.0.1:6420"],
              ["user-agent", "bench-load"],
              ["content-type", "application/octet-stream"],
              ["content-length", "32"],
              ["accept", "*/*"],
              ["x-rivet-ray-id", "0193c1d2e4f5a6b7c8d9e0f1a2b3c4d5"],
            ]),
            body: counting(32),
            stream: false,
          },
        },
      },
    },
  },
  start_actor: {
    encode: protocol.encodeToClient,
    decode: protocol.decodeToClient,
    value: {
      tag: "ToClientCommands",
      val: [
        {
          checkpoint: { actorId: ACTOR_ID, generation: 0, index: 0n },
          inner: {
            tag: "CommandStartActor",
            val: {
              config: { name: "echo", key: "bench-key", createTs: 1795808557007n, input: counting(16) },
              hibernatingRequests: [],
            },
          },
        },
      ],
    },
  },
};

// ns per call of fn: best of 5 batches of at least minMs each, after one warm-up batch.
function timePerCall(fn, minMs) {
  let sink = 0;
  const batch = () => {
    const limit = BigInt(minMs) * 1_000_000n;
    const start = process.hrtime.bigint();
    let calls = 0;
    let elapsed = 0n;
    // Check the clock every 1,000 calls so reading it stays out of the figure.
    while (elapsed < limit) {
      for (let i = 0; i < 1000; i++) sink ^= fn() === undefined ? 1 : 0;
      calls += 1000;
      elapsed = process.hrtime.bigint() - start;
    }
    return Number(elapsed) / calls;
  };
  batch();
  let best = Infinity;
  for (let i = 0; i < 5; i++) best = Math.min(best, batch());
  if (sink === 42) console.error(sink);
  return best;
}

const minArg = process.argv.indexOf("--min-ms");
const minMs = minArg >= 0 ? Number(process.argv[minArg + 1]) : 200;
const results = {};
for (const [name, { encode, decode, value }] of Object.entries(messages)) {
  const bytes = encode(value);
  const hex = Buffer.from(bytes).toString("hex");
  results[name] = {
    hex,
    encode_ns: timePerCall(() => encode(value), minMs),
    decode_ns: timePerCall(() => decode(bytes), minMs),
  };
}
process.stdout.write(`${JSON.stringify(results)}\n`);
