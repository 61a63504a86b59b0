#!/usr/bin/env node
// Generates runner-protocol v7 conformance vectors from the OFFICIAL codec
// (@rivetkit/engine-runner-protocol). A C++ codec checks itself against them.
//
//   node tests/conformance/make_vectors.mjs <out.jsonl>
//
// Every byte in the output comes out of the official encoder, or is a
// programmatic mutation of such bytes that the official decoder is proven to
// reject. Nothing is pasted as hex. The output is deterministic.
//
// Output: one JSON object per line.
//   {"kind":"positive","name","type","hex","value"}
//   {"kind":"negative","category","name","type","hex","official_error","official_offset"}
// See README.md next to this file for the JSON mapping of "value".

import { writeFileSync } from "node:fs";
import * as proto from "@rivetkit/engine-runner-protocol";

// ---------------------------------------------------------------------------
// Root types and their official encode/decode pairs.

const CODECS = {
  ToServer: [proto.encodeToServer, proto.decodeToServer],
  ToClient: [proto.encodeToClient, proto.decodeToClient],
  ToRunner: [proto.encodeToRunner, proto.decodeToRunner],
  ToGateway: [proto.encodeToGateway, proto.decodeToGateway],
  ToServerlessServer: [proto.encodeToServerlessServer, proto.decodeToServerlessServer],
  ActorCommandKeyData: [proto.encodeActorCommandKeyData, proto.decodeActorCommandKeyData],
};

// Every union of the v7 schema, variants in tag order (index = tag byte).
// Used for coverage and to build "tag beyond the last variant" vectors; the
// oracle validates it both ways (a too-short list makes an unknown_tag vector
// decode fine, a too-long one leaves a variant uncovered; both abort).
const UNIONS = {
  ToServer: ["ToServerInit", "ToServerEvents", "ToServerAckCommands", "ToServerStopping",
    "ToServerPong", "ToServerKvRequest", "ToServerTunnelMessage"],
  ToClient: ["ToClientInit", "ToClientCommands", "ToClientAckEvents", "ToClientKvResponse",
    "ToClientTunnelMessage", "ToClientPing"],
  ToRunner: ["ToRunnerPing", "ToRunnerClose", "ToClientCommands", "ToClientAckEvents",
    "ToClientTunnelMessage"],
  ToGateway: ["ToGatewayPong", "ToServerTunnelMessage"],
  ToServerlessServer: ["ToServerlessServerInit"],
  ActorCommandKeyData: ["CommandStartActor", "CommandStopActor"],
  Command: ["CommandStartActor", "CommandStopActor"],
  Event: ["EventActorIntent", "EventActorStateUpdate", "EventActorSetAlarm"],
  ActorIntent: ["ActorIntentSleep", "ActorIntentStop"],
  ActorState: ["ActorStateRunning", "ActorStateStopped"],
  KvRequestData: ["KvGetRequest", "KvListRequest", "KvPutRequest", "KvDeleteRequest",
    "KvDeleteRangeRequest", "KvDropRequest"],
  KvResponseData: ["KvErrorResponse", "KvGetResponse", "KvListResponse", "KvPutResponse",
    "KvDeleteResponse", "KvDropResponse"],
  KvListQuery: ["KvListAllQuery", "KvListRangeQuery", "KvListPrefixQuery"],
  ToServerTunnelMessageKind: ["ToServerResponseStart", "ToServerResponseChunk",
    "ToServerResponseAbort", "ToServerWebSocketOpen", "ToServerWebSocketMessage",
    "ToServerWebSocketMessageAck", "ToServerWebSocketClose"],
  ToClientTunnelMessageKind: ["ToClientRequestStart", "ToClientRequestChunk",
    "ToClientRequestAbort", "ToClientWebSocketOpen", "ToClientWebSocketMessage",
    "ToClientWebSocketClose"],
};

// Nested (non-root) unions have globally unique variant names, so a decoded
// {tag, val} below the root can be attributed to its union by the tag alone.
const NESTED_UNION_OF_TAG = new Map();
for (const [union, tags] of Object.entries(UNIONS)) {
  if (union in CODECS) continue;
  for (const tag of tags) {
    if (NESTED_UNION_OF_TAG.has(tag)) fail(`variant ${tag} is in two nested unions`);
    NESTED_UNION_OF_TAG.set(tag, union);
  }
}

// Every optional<T> field of the schema, as "<nearest union variant>.<field path>".
// Each must be seen both present and absent in the positive vectors.
const OPTIONAL_FIELDS = [
  "ToServerInit.prepopulateActorNames",
  "ToServerInit.metadata",
  "ToClientInit.metadata.serverlessDrainGracePeriod",
  "CommandStartActor.config.key",
  "CommandStartActor.config.input",
  "ActorStateStopped.message",
  "EventActorSetAlarm.alarmTs",
  "KvListRequest.reverse",
  "KvListRequest.limit",
  "ToClientRequestStart.body",
  "ToServerResponseStart.body",
  "ToClientWebSocketClose.code",
  "ToClientWebSocketClose.reason",
  "ToServerWebSocketClose.code",
  "ToServerWebSocketClose.reason",
];

// Enum fields: every value must be seen.
const ENUM_FIELDS = { "ActorStateStopped.code": ["Ok", "Error"] };

// ---------------------------------------------------------------------------
// Small helpers.

function fail(msg) {
  throw new Error(msg);
}

const utf8 = (s) => new TextEncoder().encode(s);

/** Bytes as a fresh ArrayBuffer (the codec's type for data / data[N]). */
const ab = (...xs) => Uint8Array.from(xs).buffer;
const abOf = (u8) => Uint8Array.from(u8).buffer;
const abStr = (s) => abOf(utf8(s));

/** Deterministic pseudo-random-looking bytes (no Math.random). */
function patternBytes(len, seed) {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = (i * 31 + seed + (i >> 8)) & 0xff;
  return out.buffer;
}

function toHex(u8) {
  let s = "";
  for (const b of u8) s += b.toString(16).padStart(2, "0");
  return s;
}

function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Index of the only occurrence of needle in haystack (throws unless exactly one). */
function indexOfUnique(haystack, needle, what) {
  let found = -1;
  for (let i = 0; i + needle.length <= haystack.length; i++) {
    let ok = true;
    for (let j = 0; j < needle.length && ok; j++) ok = haystack[i + j] === needle[j];
    if (!ok) continue;
    if (found !== -1) fail(`marker ${what} occurs more than once`);
    found = i;
  }
  if (found === -1) fail(`marker ${what} not found`);
  return found;
}

/** Copy of bytes with `deleteCount` bytes at `offset` replaced by `insert`. */
function splice(bytes, offset, deleteCount, insert = []) {
  if (offset < 0 || offset + deleteCount > bytes.length) fail("splice out of range");
  return Uint8Array.from([
    ...bytes.subarray(0, offset),
    ...insert,
    ...bytes.subarray(offset + deleteCount),
  ]);
}

const setByte = (bytes, offset, value) => splice(bytes, offset, 1, [value]);
const setByteFromEnd = (bytes, k, value) => setByte(bytes, bytes.length - k, value);
const truncate = (bytes, len) => bytes.slice(0, len);
const append = (bytes, extra) => splice(bytes, bytes.length, 0, extra);

/** Offset of the one-byte length prefix of a (short, unique) str/data marker. */
function lengthPrefixOf(bytes, marker) {
  const m = typeof marker === "string" ? utf8(marker) : marker;
  if (m.length >= 0x80) fail("lengthPrefixOf expects a one-byte length");
  const at = indexOfUnique(bytes, m, JSON.stringify(String(marker))) - 1;
  if (bytes[at] !== m.length) fail(`byte before marker ${marker} is not its length`);
  return at;
}

// ---------------------------------------------------------------------------
// Canonical JSON (the C++ side implements exactly this mapping).

const INTEGER_LIKE = /^(0|[1-9][0-9]*)$/;

function canon(v) {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case "bigint":
      return v.toString(10);
    case "number":
      if (!Number.isInteger(v)) fail(`non-integer number ${v}`);
      return v;
    case "boolean":
    case "string":
      return v;
  }
  if (v instanceof ArrayBuffer) return toHex(new Uint8Array(v));
  if (ArrayBuffer.isView(v)) return toHex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  if (Array.isArray(v)) return v.map(canon);
  if (v instanceof Map) {
    // JS objects put integer-like keys first; that would break insertion order.
    for (const k of v.keys()) {
      if (typeof k !== "string") fail(`non-string map key ${String(k)}`);
      if (INTEGER_LIKE.test(k)) fail(`integer-like map key ${k} would be reordered`);
    }
    // fromEntries (not assignment) so a key like "__proto__" stays a plain key.
    return Object.fromEntries([...v].map(([k, x]) => [k, canon(x)]));
  }
  if (typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canon(x)]));
  }
  fail(`cannot map value of type ${typeof v}`);
}

const canonString = (v) => JSON.stringify(canon(v));

// ---------------------------------------------------------------------------
// Coverage of union variants, optional fields and enum values (from decoded values).

const coverage = {
  variants: new Set(),
  optional: new Map(OPTIONAL_FIELDS.map((f) => [f, { present: 0, absent: 0 }])),
  enums: new Set(),
};

const isUnionValue = (v) =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Map) &&
  Object.keys(v).length === 2 && typeof v.tag === "string" && "val" in v;

function recordCoverage(rootType, value) {
  // ctx is "<nearest union variant>.<field path>", lists add "[]", maps "{}".
  const visit = (v, ctx, isRoot) => {
    if (isUnionValue(v)) {
      const union = isRoot ? rootType : NESTED_UNION_OF_TAG.get(v.tag);
      if (!union) fail(`${rootType}: tag ${v.tag} belongs to no known union`);
      coverage.variants.add(`${union}.${v.tag}`);
      visit(v.val, v.tag, false);
    } else if (Array.isArray(v)) {
      for (const x of v) visit(x, `${ctx}[]`, false);
    } else if (v instanceof Map) {
      for (const x of v.values()) visit(x, `${ctx}{}`, false);
    } else if (v !== null && typeof v === "object" && !(v instanceof ArrayBuffer) &&
      !ArrayBuffer.isView(v)) {
      for (const [k, x] of Object.entries(v)) {
        const path = `${ctx}.${k}`;
        const opt = coverage.optional.get(path);
        if (opt) opt[x === null ? "absent" : "present"]++;
        if (path in ENUM_FIELDS) coverage.enums.add(`${path}=${x}`);
        visit(x, path, false);
      }
    }
  };
  visit(value, rootType, true);
}

// ---------------------------------------------------------------------------
// Fixed inputs.

const ACTOR_ID = "5r7njzx3yd29ma2tkv8kgv4eadbl00"; // real 30-char Rivet id shape
const ACTOR_ID_2 = "0k2d8c4n1m9q7w3e5r6t8y0u2i4o6p";
const RUNNER_ID = "9x1z3c5v7b9n1m3k5j7h9g1f3d5s7a";
const GATEWAY_ID = ab(0xde, 0xad, 0xbe, 0xef);
const REQUEST_ID = ab(0x01, 0x02, 0x03, 0x04);
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;
const U32_MAX = 4294967295;
const U16_MAX = 65535;
const UNICODE = "ключ 🚀"; // 2-, 1- and 4-byte UTF-8 sequences
const BIG_LEN = 70000; // length needs a 3-byte ULEB128 (f0 a2 04)
// > 256 bytes so bare-ts takes its TextEncoder/TextDecoder path, not the JS one.
const LONG_JSON = JSON.stringify({ note: `${UNICODE} `.repeat(40), n: 1 });

const messageId = (messageIndex) => ({ gatewayId: GATEWAY_ID, requestId: REQUEST_ID, messageIndex });
const checkpoint = (actorId, generation, index) => ({ actorId, generation, index });
const u = (tag, val = null) => ({ tag, val }); // union value; void variants use null

const event = (cp, inner) => ({ checkpoint: cp, inner });
const command = (cp, inner) => ({ checkpoint: cp, inner });
const kvRequest = (requestId, data) => u("ToServerKvRequest", { actorId: ACTOR_ID, requestId, data });
const kvResponse = (requestId, data) => u("ToClientKvResponse", { requestId, data });
const toServerTunnel = (index, kind) => u("ToServerTunnelMessage", { messageId: messageId(index), messageKind: kind });
const toClientTunnel = (index, kind) => u("ToClientTunnelMessage", { messageId: messageId(index), messageKind: kind });

const startActorFull = {
  config: { name: "counter", key: UNICODE, createTs: 1795808557007n, input: abStr('{"count":5}') },
  hibernatingRequests: [
    { gatewayId: GATEWAY_ID, requestId: REQUEST_ID },
    { gatewayId: ab(0, 0, 0, 0), requestId: ab(0xff, 0xff, 0xff, 0xff) },
  ],
};
const startActorMinimal = {
  config: { name: "", key: null, createTs: -1n, input: null },
  hibernatingRequests: [],
};

// ---------------------------------------------------------------------------
// Positive vectors: [name, rootType, value]. Field order follows the schema
// (the decoded value is compared with the input, key order included).

const POSITIVE = [
  // --- ToServer ---------------------------------------------------------
  ["ToServer_Init_full", "ToServer", u("ToServerInit", {
    name: "cpp-runner", version: 1, totalSlots: U32_MAX,
    prepopulateActorNames: new Map([
      ["counter", { metadata: '{"icon":"x"}' }],
      ["chat-room", { metadata: "{}" }],
      [UNICODE, { metadata: "" }],
    ]),
    metadata: `{"k":"${UNICODE}"}`,
  })],
  ["ToServer_Init_minimal", "ToServer", u("ToServerInit", {
    name: "", version: 0, totalSlots: 0, prepopulateActorNames: null, metadata: null,
  })],
  ["ToServer_Init_emptyMap_emptyMetadata", "ToServer", u("ToServerInit", {
    name: "cpp-runner", version: 1, totalSlots: 1, prepopulateActorNames: new Map(), metadata: "",
  })],
  ["ToServer_Init_longMetadata", "ToServer", u("ToServerInit", {
    name: "r", version: U32_MAX, totalSlots: 7, prepopulateActorNames: null, metadata: LONG_JSON,
  })],
  ["ToServer_Events_empty", "ToServer", u("ToServerEvents", [])],
  ["ToServer_Events_intentSleep", "ToServer", u("ToServerEvents", [
    event(checkpoint(ACTOR_ID, 0, 0n), u("EventActorIntent", { intent: u("ActorIntentSleep") })),
  ])],
  ["ToServer_Events_intentStop", "ToServer", u("ToServerEvents", [
    event(checkpoint(ACTOR_ID, 1, 1n), u("EventActorIntent", { intent: u("ActorIntentStop") })),
  ])],
  ["ToServer_Events_stateRunning", "ToServer", u("ToServerEvents", [
    event(checkpoint(ACTOR_ID, 2, 3n), u("EventActorStateUpdate", { state: u("ActorStateRunning") })),
  ])],
  ["ToServer_Events_stateStoppedOk", "ToServer", u("ToServerEvents", [
    event(checkpoint(ACTOR_ID, 2, 4n),
      u("EventActorStateUpdate", { state: u("ActorStateStopped", { code: "Ok", message: null }) })),
  ])],
  ["ToServer_Events_stateStoppedError", "ToServer", u("ToServerEvents", [
    event(checkpoint(ACTOR_ID, U32_MAX, I64_MAX),
      u("EventActorStateUpdate", { state: u("ActorStateStopped", { code: "Error", message: `boom ${UNICODE}` }) })),
  ])],
  ["ToServer_Events_setAlarm", "ToServer", u("ToServerEvents", [
    event(checkpoint(ACTOR_ID, 3, 5n), u("EventActorSetAlarm", { alarmTs: 1795808557007n })),
  ])],
  ["ToServer_Events_clearAlarm", "ToServer", u("ToServerEvents", [
    event(checkpoint(ACTOR_ID, 3, 6n), u("EventActorSetAlarm", { alarmTs: null })),
  ])],
  ["ToServer_Events_several", "ToServer", u("ToServerEvents", [
    event(checkpoint(ACTOR_ID, 0, I64_MIN), u("EventActorSetAlarm", { alarmTs: I64_MIN })),
    event(checkpoint(ACTOR_ID_2, 9, -1n), u("EventActorSetAlarm", { alarmTs: -1n })),
    event(checkpoint(ACTOR_ID, 10, 0n), u("EventActorIntent", { intent: u("ActorIntentStop") })),
    event(checkpoint(ACTOR_ID_2, 11, I64_MAX),
      u("EventActorStateUpdate", { state: u("ActorStateStopped", { code: "Ok", message: "" }) })),
  ])],
  ["ToServer_AckCommands_empty", "ToServer", u("ToServerAckCommands", { lastCommandCheckpoints: [] })],
  ["ToServer_AckCommands_several", "ToServer", u("ToServerAckCommands", {
    lastCommandCheckpoints: [checkpoint(ACTOR_ID, 1, 42n), checkpoint(ACTOR_ID_2, U32_MAX, I64_MAX)],
  })],
  ["ToServer_Stopping", "ToServer", u("ToServerStopping")],
  ["ToServer_Pong", "ToServer", u("ToServerPong", { ts: 1795808557007n })],
  ["ToServer_Pong_i64min", "ToServer", u("ToServerPong", { ts: I64_MIN })],
  ["ToServer_Pong_negative", "ToServer", u("ToServerPong", { ts: -1795808557007n })],
  ["ToServer_KvGet_empty", "ToServer", kvRequest(0, u("KvGetRequest", { keys: [] }))],
  ["ToServer_KvGet_several", "ToServer", kvRequest(U32_MAX, u("KvGetRequest", {
    keys: [ab(), ab(0x00), abStr(UNICODE), ab(0xff, 0xfe)],
  }))],
  ["ToServer_KvList_all_noOptions", "ToServer", kvRequest(1, u("KvListRequest", {
    query: u("KvListAllQuery"), reverse: null, limit: null,
  }))],
  ["ToServer_KvList_range_u64max", "ToServer", kvRequest(2, u("KvListRequest", {
    query: u("KvListRangeQuery", { start: abStr("a"), end: abStr("z"), exclusive: true }),
    reverse: true, limit: U64_MAX,
  }))],
  ["ToServer_KvList_range_inclusive", "ToServer", kvRequest(3, u("KvListRequest", {
    query: u("KvListRangeQuery", { start: ab(), end: ab(0xff), exclusive: false }),
    reverse: false, limit: 0n,
  }))],
  ["ToServer_KvList_prefix", "ToServer", kvRequest(4, u("KvListRequest", {
    query: u("KvListPrefixQuery", { key: abStr("user/") }), reverse: null, limit: 100n,
  }))],
  ["ToServer_KvPut", "ToServer", kvRequest(5, u("KvPutRequest", {
    keys: [abStr("k1"), abStr(UNICODE)], values: [ab(), abStr("v2")],
  }))],
  ["ToServer_KvPut_empty", "ToServer", kvRequest(6, u("KvPutRequest", { keys: [], values: [] }))],
  ["ToServer_KvDelete", "ToServer", kvRequest(7, u("KvDeleteRequest", { keys: [abStr("k1"), ab()] }))],
  ["ToServer_KvDeleteRange", "ToServer", kvRequest(8, u("KvDeleteRangeRequest", {
    start: abStr("a"), end: ab(),
  }))],
  ["ToServer_KvDrop", "ToServer", kvRequest(9, u("KvDropRequest"))],
  ["ToServer_Tunnel_ResponseStart", "ToServer", toServerTunnel(0, u("ToServerResponseStart", {
    status: 200,
    headers: new Map([["content-type", "application/json"], ["x-rivet-encoding", "json"], ["x-ключ", UNICODE]]),
    body: abStr('{"ok":true}'), stream: false,
  }))],
  ["ToServer_Tunnel_ResponseStart_minimal", "ToServer", toServerTunnel(U16_MAX, u("ToServerResponseStart", {
    status: U16_MAX, headers: new Map(), body: null, stream: true,
  }))],
  ["ToServer_Tunnel_ResponseStart_bigBody", "ToServer", toServerTunnel(1, u("ToServerResponseStart", {
    status: 200, headers: new Map(), body: patternBytes(BIG_LEN, 7), stream: false,
  }))],
  ["ToServer_Tunnel_ResponseStart_emptyBody", "ToServer", toServerTunnel(2, u("ToServerResponseStart", {
    status: 204, headers: new Map([["x-empty", ""]]), body: ab(), stream: false,
  }))],
  ["ToServer_Tunnel_ResponseChunk", "ToServer", toServerTunnel(3, u("ToServerResponseChunk", {
    body: abStr("chunk"), finish: false,
  }))],
  ["ToServer_Tunnel_ResponseChunk_emptyFinish", "ToServer", toServerTunnel(4, u("ToServerResponseChunk", {
    body: ab(), finish: true,
  }))],
  ["ToServer_Tunnel_ResponseAbort", "ToServer", toServerTunnel(5, u("ToServerResponseAbort"))],
  ["ToServer_Tunnel_WebSocketOpen_hibernate", "ToServer", toServerTunnel(0, u("ToServerWebSocketOpen", {
    canHibernate: true,
  }))],
  ["ToServer_Tunnel_WebSocketOpen", "ToServer", toServerTunnel(0, u("ToServerWebSocketOpen", {
    canHibernate: false,
  }))],
  ["ToServer_Tunnel_WebSocketMessage_text", "ToServer", toServerTunnel(6, u("ToServerWebSocketMessage", {
    data: abStr(UNICODE), binary: false,
  }))],
  ["ToServer_Tunnel_WebSocketMessage_binary", "ToServer", toServerTunnel(7, u("ToServerWebSocketMessage", {
    data: ab(0, 1, 2, 0xff), binary: true,
  }))],
  ["ToServer_Tunnel_WebSocketMessageAck", "ToServer", toServerTunnel(8, u("ToServerWebSocketMessageAck", {
    index: U16_MAX,
  }))],
  ["ToServer_Tunnel_WebSocketClose", "ToServer", toServerTunnel(9, u("ToServerWebSocketClose", {
    code: 1000, reason: `bye ${UNICODE}`, hibernate: false,
  }))],
  ["ToServer_Tunnel_WebSocketClose_empty", "ToServer", toServerTunnel(10, u("ToServerWebSocketClose", {
    code: null, reason: null, hibernate: true,
  }))],

  // --- ToClient ---------------------------------------------------------
  ["ToClient_Init", "ToClient", u("ToClientInit", {
    runnerId: ACTOR_ID,
    metadata: { runnerLostThreshold: 15000n, actorStopThreshold: 1800000n, serverlessDrainGracePeriod: null },
  })],
  ["ToClient_Init_drainGrace", "ToClient", u("ToClientInit", {
    runnerId: RUNNER_ID,
    metadata: { runnerLostThreshold: I64_MAX, actorStopThreshold: -1n, serverlessDrainGracePeriod: 30000n },
  })],
  ["ToClient_Commands_empty", "ToClient", u("ToClientCommands", [])],
  ["ToClient_Commands_startFull", "ToClient", u("ToClientCommands", [
    command(checkpoint(ACTOR_ID, 1, 0n), u("CommandStartActor", startActorFull)),
  ])],
  ["ToClient_Commands_startMinimal", "ToClient", u("ToClientCommands", [
    command(checkpoint(ACTOR_ID, 0, 1n), u("CommandStartActor", startActorMinimal)),
  ])],
  ["ToClient_Commands_stop", "ToClient", u("ToClientCommands", [
    command(checkpoint(ACTOR_ID, 1, 2n), u("CommandStopActor")),
  ])],
  ["ToClient_Commands_several", "ToClient", u("ToClientCommands", [
    command(checkpoint(ACTOR_ID, 1, 3n), u("CommandStartActor", {
      config: { name: UNICODE, key: "", createTs: I64_MIN, input: ab() },
      hibernatingRequests: [{ gatewayId: GATEWAY_ID, requestId: REQUEST_ID }],
    })),
    command(checkpoint(ACTOR_ID_2, U32_MAX, I64_MAX), u("CommandStopActor")),
    command(checkpoint(ACTOR_ID, 2, 4n), u("CommandStartActor", startActorMinimal)),
  ])],
  ["ToClient_AckEvents_empty", "ToClient", u("ToClientAckEvents", { lastEventCheckpoints: [] })],
  ["ToClient_AckEvents_several", "ToClient", u("ToClientAckEvents", {
    lastEventCheckpoints: [checkpoint(ACTOR_ID, 0, -5n), checkpoint(ACTOR_ID_2, 7, 12n), checkpoint(RUNNER_ID, 1, 0n)],
  })],
  ["ToClient_KvResponse_error", "ToClient", kvResponse(0, u("KvErrorResponse", { message: `bad key ${UNICODE}` }))],
  ["ToClient_KvResponse_errorEmpty", "ToClient", kvResponse(1, u("KvErrorResponse", { message: "" }))],
  ["ToClient_KvResponse_get", "ToClient", kvResponse(U32_MAX, u("KvGetResponse", {
    keys: [abStr("k1"), ab()],
    values: [abStr(UNICODE), ab()],
    metadata: [
      { version: ab(0, 0, 0, 0, 0, 0, 0, 1), updateTs: 1795808557007n },
      { version: ab(), updateTs: I64_MIN },
    ],
  }))],
  ["ToClient_KvResponse_getEmpty", "ToClient", kvResponse(2, u("KvGetResponse", { keys: [], values: [], metadata: [] }))],
  ["ToClient_KvResponse_list", "ToClient", kvResponse(3, u("KvListResponse", {
    keys: [abStr("a"), abStr("b"), abStr("c")],
    values: [abStr("1"), ab(), ab(0xff)],
    metadata: [
      { version: ab(1), updateTs: 0n },
      { version: ab(2), updateTs: -1n },
      { version: ab(3), updateTs: I64_MAX },
    ],
  }))],
  ["ToClient_KvResponse_listEmpty", "ToClient", kvResponse(4, u("KvListResponse", { keys: [], values: [], metadata: [] }))],
  ["ToClient_KvResponse_put", "ToClient", kvResponse(5, u("KvPutResponse"))],
  ["ToClient_KvResponse_delete", "ToClient", kvResponse(6, u("KvDeleteResponse"))],
  ["ToClient_KvResponse_drop", "ToClient", kvResponse(7, u("KvDropResponse"))],
  ["ToClient_Tunnel_RequestStart", "ToClient", toClientTunnel(0, u("ToClientRequestStart", {
    actorId: ACTOR_ID, method: "POST", path: "/action/increment",
    headers: new Map([["content-type", "application/json"], ["x-rivet-encoding", "json"], ["x-dup", "v"]]),
    body: abStr('{"args":[5]}'), stream: false,
  }))],
  ["ToClient_Tunnel_RequestStart_get", "ToClient", toClientTunnel(U16_MAX, u("ToClientRequestStart", {
    actorId: ACTOR_ID, method: "GET", path: `/ключ?q=${UNICODE}`, headers: new Map(), body: null, stream: true,
  }))],
  ["ToClient_Tunnel_RequestStart_emptyStrings", "ToClient", toClientTunnel(1, u("ToClientRequestStart", {
    actorId: "", method: "", path: "", headers: new Map([["x-a", ""]]), body: ab(), stream: false,
  }))],
  ["ToClient_Tunnel_RequestChunk", "ToClient", toClientTunnel(2, u("ToClientRequestChunk", {
    body: abStr("part-1"), finish: false,
  }))],
  ["ToClient_Tunnel_RequestChunk_bigFinish", "ToClient", toClientTunnel(3, u("ToClientRequestChunk", {
    body: patternBytes(BIG_LEN, 3), finish: true,
  }))],
  ["ToClient_Tunnel_RequestAbort", "ToClient", toClientTunnel(4, u("ToClientRequestAbort"))],
  ["ToClient_Tunnel_WebSocketOpen", "ToClient", toClientTunnel(0, u("ToClientWebSocketOpen", {
    actorId: ACTOR_ID, path: "/websocket",
    headers: new Map([["sec-websocket-protocol", "rivet"], ["x-rivet-target", "actor"], ["x-ws-key", "abc"]]),
  }))],
  ["ToClient_Tunnel_WebSocketOpen_noHeaders", "ToClient", toClientTunnel(0, u("ToClientWebSocketOpen", {
    actorId: ACTOR_ID_2, path: "", headers: new Map(),
  }))],
  ["ToClient_Tunnel_WebSocketMessage_text", "ToClient", toClientTunnel(1, u("ToClientWebSocketMessage", {
    data: abStr(`hi ${UNICODE}`), binary: false,
  }))],
  ["ToClient_Tunnel_WebSocketMessage_binaryEmpty", "ToClient", toClientTunnel(U16_MAX, u("ToClientWebSocketMessage", {
    data: ab(), binary: true,
  }))],
  ["ToClient_Tunnel_WebSocketClose", "ToClient", toClientTunnel(2, u("ToClientWebSocketClose", {
    code: U16_MAX, reason: "",
  }))],
  ["ToClient_Tunnel_WebSocketClose_empty", "ToClient", toClientTunnel(3, u("ToClientWebSocketClose", {
    code: null, reason: null,
  }))],
  ["ToClient_Ping", "ToClient", u("ToClientPing", { ts: 1795808557007n })],
  ["ToClient_Ping_i64max", "ToClient", u("ToClientPing", { ts: I64_MAX })],

  // --- ToRunner / ToGateway (engine-internal envelopes) -------------------
  ["ToRunner_Ping", "ToRunner", u("ToRunnerPing", { gatewayId: GATEWAY_ID, requestId: REQUEST_ID, ts: -2n })],
  ["ToRunner_Close", "ToRunner", u("ToRunnerClose")],
  ["ToRunner_Commands", "ToRunner", u("ToClientCommands", [
    command(checkpoint(ACTOR_ID, 1, 0n), u("CommandStartActor", startActorFull)),
  ])],
  ["ToRunner_AckEvents", "ToRunner", u("ToClientAckEvents", { lastEventCheckpoints: [checkpoint(ACTOR_ID, 1, 9n)] })],
  ["ToRunner_TunnelMessage", "ToRunner", toClientTunnel(5, u("ToClientWebSocketClose", { code: 1011, reason: "err" }))],
  ["ToGateway_Pong", "ToGateway", u("ToGatewayPong", { requestId: REQUEST_ID, ts: I64_MAX })],
  ["ToGateway_TunnelMessage", "ToGateway", toServerTunnel(U16_MAX, u("ToServerWebSocketMessageAck", { index: 0 }))],

  // --- Serverless init packet body, ActorCommandKeyData --------------------
  ["ToServerlessServer_Init", "ToServerlessServer", u("ToServerlessServerInit", {
    runnerId: RUNNER_ID, runnerProtocolVersion: 7,
  })],
  ["ToServerlessServer_Init_edge", "ToServerlessServer", u("ToServerlessServerInit", {
    runnerId: "", runnerProtocolVersion: U16_MAX,
  })],
  ["ActorCommandKeyData_Start", "ActorCommandKeyData", u("CommandStartActor", startActorFull)],
  ["ActorCommandKeyData_StartMinimal", "ActorCommandKeyData", u("CommandStartActor", startActorMinimal)],
  ["ActorCommandKeyData_Stop", "ActorCommandKeyData", u("CommandStopActor")],
];

// ---------------------------------------------------------------------------
// Building and proving positive vectors.

/**
 * Encode with the official encoder, decode the bytes again (from a plain
 * Uint8Array copy: bare-ts returns data fields as `.buffer` of a slice, and a
 * pooled Node Buffer would leak the whole pool), re-encode and require
 * identical bytes, and require the decoded value to equal the input.
 */
function buildPositive([name, type, value]) {
  const [encode, decode] = CODECS[type];
  // encode returns a view into a larger scratch buffer: copy the exact bytes.
  const bytes = encode(value).slice();
  const decoded = decode(new Uint8Array(bytes));
  const again = encode(decoded).slice();
  if (!bytesEqual(bytes, again)) fail(`${name}: re-encoding the decoded value changed the bytes`);
  // The encoder truncates out-of-range numbers silently (bare-ts checks
  // ranges only with NODE_ENV=development), so compare values too.
  if (canonString(value) !== canonString(decoded)) {
    fail(`${name}: decoded value differs from input\n  in:  ${canonString(value)}\n  out: ${canonString(decoded)}`);
  }
  // The top-level tag byte must match the UNIONS table.
  if (bytes[0] !== UNIONS[type].indexOf(decoded.tag)) fail(`${name}: tag byte does not match UNIONS.${type}`);
  recordCoverage(type, decoded);
  return { kind: "positive", name, type, hex: toHex(bytes), value: canon(decoded), bytes };
}

// ---------------------------------------------------------------------------
// Negative vectors: [category, name, fromPositive, mutate(bytes) → bytes, expectedIssue?]
// Each mutation is applied to the official encoding of a positive vector.

const TAG_BEYOND = (union) => UNIONS[union].length;

const CATEGORY_ISSUE = {
  unknown_tag: "invalid tag",
  truncated: "missing bytes",
  trailing_bytes: "remaining bytes",
  non_canonical_uleb128: "must be canonical",
  bad_bool: "a bool must be equal to 0 or 1",
  bad_optional: "a bool must be equal to 0 or 1",
  duplicate_map_key: "duplicated key",
  invalid_utf8: "invalid UTF-8 string",
  length_overrun: "missing bytes",
};

/** ULEB128 of 0xffffffff: the largest length bare-ts's u32 length reader accepts. */
const ULEB_U32_MAX = [0xff, 0xff, 0xff, 0xff, 0x0f];

/** Offset of the 3-byte ULEB128 length of the BIG_LEN data field that ends `tailLen` bytes before the end. */
function bigLengthOffset(bytes, tailLen) {
  const at = bytes.length - tailLen - BIG_LEN - 3;
  const [b0, b1, b2] = bytes.subarray(at, at + 3);
  const multiByte = b0 >= 0x80 && b1 >= 0x80 && b2 < 0x80;
  if (!multiByte || (b0 & 0x7f) + ((b1 & 0x7f) << 7) + (b2 << 14) !== BIG_LEN) {
    fail("3-byte length prefix of the big data field not where expected");
  }
  return at;
}

/** Duplicate the only entry of a one-entry str→str map whose key is `key`, and set the count to 2. */
function duplicateOnlyMapEntry(bytes, key, value) {
  const keyAt = lengthPrefixOf(bytes, key);
  const countAt = keyAt - 1;
  if (bytes[countAt] !== 1) fail(`map with key ${key} does not have exactly one entry`);
  const entryLen = 1 + utf8(key).length + 1 + utf8(value).length;
  const entry = bytes.slice(keyAt, keyAt + entryLen);
  return splice(splice(bytes, keyAt + entryLen, 0, entry), countAt, 1, [2]);
}

const NEGATIVE = [
  // --- unknown_tag: union/enum tag one past the last variant ----------------
  ["unknown_tag", "ToServer_tag7", "ToServer_Stopping", (b) => setByte(b, 0, TAG_BEYOND("ToServer"))],
  ["unknown_tag", "ToClient_tag6", "ToClient_Ping", (b) => setByte(b, 0, TAG_BEYOND("ToClient"))],
  ["unknown_tag", "ToClient_tag255", "ToClient_Ping", (b) => setByte(b, 0, 0xff)],
  ["unknown_tag", "ToRunner_tag5", "ToRunner_Close", (b) => setByte(b, 0, TAG_BEYOND("ToRunner"))],
  ["unknown_tag", "ToGateway_tag2", "ToGateway_Pong", (b) => setByte(b, 0, TAG_BEYOND("ToGateway"))],
  ["unknown_tag", "ToServerlessServer_tag1", "ToServerlessServer_Init", (b) => setByte(b, 0, TAG_BEYOND("ToServerlessServer"))],
  ["unknown_tag", "ActorCommandKeyData_tag2", "ActorCommandKeyData_Stop", (b) => setByte(b, 0, TAG_BEYOND("ActorCommandKeyData"))],
  // Nested unions: void variants at the very end of the message make the tag the last byte.
  ["unknown_tag", "ToServer_nested_KvRequestData_tag6", "ToServer_KvDrop", (b) => setByteFromEnd(b, 1, TAG_BEYOND("KvRequestData"))],
  ["unknown_tag", "ToServer_nested_ActorIntent_tag2", "ToServer_Events_intentStop", (b) => setByteFromEnd(b, 1, TAG_BEYOND("ActorIntent"))],
  ["unknown_tag", "ToServer_nested_ActorState_tag2", "ToServer_Events_stateRunning", (b) => setByteFromEnd(b, 1, TAG_BEYOND("ActorState"))],
  // ...EventActorSetAlarm{alarmTs: none} ends with [event tag][00].
  ["unknown_tag", "ToServer_nested_Event_tag3", "ToServer_Events_clearAlarm", (b) => setByteFromEnd(b, 2, TAG_BEYOND("Event"))],
  // ...KvListRequest{All, none, none} ends with [query tag][00][00].
  ["unknown_tag", "ToServer_nested_KvListQuery_tag3", "ToServer_KvList_all_noOptions", (b) => setByteFromEnd(b, 3, TAG_BEYOND("KvListQuery"))],
  ["unknown_tag", "ToServer_nested_TunnelKind_tag7", "ToServer_Tunnel_ResponseAbort", (b) => setByteFromEnd(b, 1, TAG_BEYOND("ToServerTunnelMessageKind"))],
  ["unknown_tag", "ToClient_nested_Command_tag2", "ToClient_Commands_stop", (b) => setByteFromEnd(b, 1, TAG_BEYOND("Command"))],
  ["unknown_tag", "ToClient_nested_KvResponseData_tag6", "ToClient_KvResponse_drop", (b) => setByteFromEnd(b, 1, TAG_BEYOND("KvResponseData"))],
  ["unknown_tag", "ToClient_nested_TunnelKind_tag6", "ToClient_Tunnel_RequestAbort", (b) => setByteFromEnd(b, 1, TAG_BEYOND("ToClientTunnelMessageKind"))],
  // ...ActorStateStopped{code: Ok, message: none} ends with [StopCode][00].
  ["unknown_tag", "ToServer_enum_StopCode_2", "ToServer_Events_stateStoppedOk", (b) => setByteFromEnd(b, 2, 2)],

  // --- truncated: input ends early ----------------------------------------
  ["truncated", "ToServer_empty_input", "ToServer_Stopping", (b) => truncate(b, 0)],
  ["truncated", "ToServer_Pong_inside_i64", "ToServer_Pong", (b) => truncate(b, 1 + 3)],
  ["truncated", "ToClient_KvResponse_inside_u32", "ToClient_KvResponse_put", (b) => truncate(b, 1 + 2)],
  ["truncated", "ToClient_Init_inside_str", "ToClient_Init", (b) => truncate(b, 1 + 1 + 10)],
  ["truncated", "ToClient_Init_missing_optional_byte", "ToClient_Init", (b) => truncate(b, b.length - 1)],
  ["truncated", "ToRunner_Ping_inside_data4", "ToRunner_Ping", (b) => truncate(b, 1 + 2)],
  ["truncated", "ToServerlessServer_inside_u16", "ToServerlessServer_Init", (b) => truncate(b, b.length - 1)],
  ["truncated", "ToServer_bigBody_inside_uleb128_length", "ToServer_Tunnel_ResponseStart_bigBody",
    (b) => truncate(b, bigLengthOffset(b, 1) + 1)],
  ["truncated", "ToClient_bigBody_inside_data", "ToClient_Tunnel_RequestChunk_bigFinish",
    (b) => truncate(b, b.length - 1 - 1000)],
  ["truncated", "ActorCommandKeyData_Start_missing_last_item", "ActorCommandKeyData_Start", (b) => truncate(b, b.length - 4)],

  // --- trailing_bytes: a valid message followed by extra bytes ------------
  ["trailing_bytes", "ToServer_Stopping_plus1", "ToServer_Stopping", (b) => append(b, [0x00])],
  ["trailing_bytes", "ToClient_Ping_plus3", "ToClient_Ping", (b) => append(b, [0x01, 0x02, 0x03])],
  ["trailing_bytes", "ToGateway_Pong_plus1", "ToGateway_Pong", (b) => append(b, [0xff])],
  ["trailing_bytes", "ActorCommandKeyData_Stop_plus8", "ActorCommandKeyData_Stop", (b) => append(b, [1, 0, 0, 0, 0, 0, 0, 0])],

  // --- non_canonical_uleb128: valid value, padded encoding ------------------
  ["non_canonical_uleb128", "ToServer_str_len1_as_8100", "ToServer_Init_longMetadata",
    (b) => splice(b, 1, 1, [0x81, 0x00])], // name "r": length byte right after the tag
  ["non_canonical_uleb128", "ToServer_list_count_padded", "ToServer_AckCommands_several",
    (b) => splice(b, 1, 1, [0x82, 0x00])],
  ["non_canonical_uleb128", "ToServer_data_len_3byte_padded", "ToServer_KvDelete",
    (b) => splice(b, lengthPrefixOf(b, "k1"), 1, [0x82, 0x80, 0x00])],
  ["non_canonical_uleb128", "ToClient_map_count_padded", "ToClient_Tunnel_WebSocketOpen",
    (b) => splice(b, lengthPrefixOf(b, "sec-websocket-protocol") - 1, 1, [0x83, 0x00])],
  ["non_canonical_uleb128", "ToClient_empty_str_as_8000", "ToClient_KvResponse_errorEmpty",
    (b) => splice(b, b.length - 1, 1, [0x80, 0x00])],

  // --- bad_bool: a bool byte other than 0/1 --------------------------------
  ["bad_bool", "ToClient_RequestChunk_finish_2", "ToClient_Tunnel_RequestChunk", (b) => setByteFromEnd(b, 1, 2)],
  ["bad_bool", "ToServer_WebSocketOpen_canHibernate_ff", "ToServer_Tunnel_WebSocketOpen_hibernate", (b) => setByteFromEnd(b, 1, 0xff)],
  ["bad_bool", "ToServer_WebSocketClose_hibernate_2", "ToServer_Tunnel_WebSocketClose_empty", (b) => setByteFromEnd(b, 1, 2)],

  // --- bad_optional: an optional presence byte other than 0/1 --------------
  ["bad_optional", "ToClient_Init_drainGrace_flag_2", "ToClient_Init", (b) => setByteFromEnd(b, 1, 2)],
  ["bad_optional", "ToServer_SetAlarm_flag_2", "ToServer_Events_clearAlarm", (b) => setByteFromEnd(b, 1, 2)],
  ["bad_optional", "ToServer_Init_metadata_flag_ff", "ToServer_Init_minimal", (b) => setByteFromEnd(b, 1, 0xff)],
  // KvListRequest{All, reverse: none, limit: none}: reverse flag is second to last.
  ["bad_optional", "ToServer_KvList_reverse_flag_2", "ToServer_KvList_all_noOptions", (b) => setByteFromEnd(b, 2, 2)],

  // --- duplicate_map_key ----------------------------------------------------
  ["duplicate_map_key", "ToClient_RequestStart_dup_header_entry", "ToClient_Tunnel_RequestStart",
    (b) => {
      // Three headers; replace the whole map with two copies of the last entry.
      const firstKeyAt = lengthPrefixOf(b, "content-type");
      const dupKeyAt = lengthPrefixOf(b, "x-dup");
      const entry = b.slice(dupKeyAt, dupKeyAt + 1 + 5 + 1 + 1); // 05 "x-dup" 01 "v"
      return splice(b, firstKeyAt - 1, dupKeyAt + entry.length - (firstKeyAt - 1), [2, ...entry, ...entry]);
    }],
  ["duplicate_map_key", "ToServer_ResponseStart_dup_header", "ToServer_Tunnel_ResponseStart_emptyBody",
    (b) => duplicateOnlyMapEntry(b, "x-empty", "")],
  ["duplicate_map_key", "ToClient_RequestStart_renamed_same_key", "ToClient_Tunnel_RequestStart",
    (b) => {
      // Rename the third header key "x-dup" to the second one, "x-rivet-encoding" (length fixed up).
      const other = utf8("x-rivet-encoding");
      return splice(b, lengthPrefixOf(b, "x-dup"), 1 + 5, [other.length, ...other]);
    }],
  ["duplicate_map_key", "ToServer_Init_dup_actor_name", "ToServer_Init_full",
    (b) => {
      // "counter" → ActorName, then "chat-room": rename "chat-room" (9 bytes) to "counter" (7).
      const at = lengthPrefixOf(b, "chat-room");
      return splice(b, at, 1 + 9, [7, ...utf8("counter")]);
    }],

  // --- invalid_utf8 -----------------------------------------------------------
  ["invalid_utf8", "ToClient_Init_id_with_ff", "ToClient_Init",
    (b) => setByte(b, indexOfUnique(b, utf8(ACTOR_ID), "actor id") + 5, 0xff)],
  ["invalid_utf8", "ToClient_path_overlong_slash", "ToClient_Tunnel_RequestStart",
    (b) => splice(b, indexOfUnique(b, utf8("/action"), "/action"), 2, [0xc0, 0xaf])], // "/a" → C0 AF
  ["invalid_utf8", "ToServer_stop_message_lone_surrogate", "ToServer_Events_stateStoppedError",
    (b) => splice(b, indexOfUnique(b, utf8("boom"), "boom"), 3, [0xed, 0xa0, 0x80])], // "boo" → ED A0 80
  ["invalid_utf8", "ToServer_header_key_bad_continuation", "ToServer_Tunnel_ResponseStart_emptyBody",
    (b) => setByte(b, lengthPrefixOf(b, "x-empty") + 1, 0xc3)], // C3 then "-": not a continuation byte
  ["invalid_utf8", "ToServer_long_metadata_with_ff", "ToServer_Init_longMetadata",
    (b) => setByte(b, indexOfUnique(b, utf8('"n":1'), '"n":1'), 0xff)], // >256 bytes: TextDecoder path

  // --- length_overrun: length prefix larger than the remaining input --------
  // str lengths >= 256 go through bare-ts's TextDecoder path, whose try/catch
  // also swallows the bounds check: the official text is then "invalid UTF-8 string".
  ["length_overrun", "ToClient_Init_str_len_u32max", "ToClient_Init",
    (b) => splice(b, 1, 1, ULEB_U32_MAX), "invalid UTF-8 string"], // runnerId length right after the tag
  ["length_overrun", "ToClient_Init_str_len_127", "ToClient_Init", (b) => setByte(b, 1, 0x7f)],
  ["length_overrun", "ToServer_KvGet_data_len_127", "ToServer_KvGet_several",
    (b) => setByte(b, lengthPrefixOf(b, UNICODE), 0x7f)],
  ["length_overrun", "ToServer_list_count_u32max", "ToServer_AckCommands_several",
    (b) => splice(b, 1, 1, ULEB_U32_MAX)],
  ["length_overrun", "ToClient_map_count_127", "ToClient_Tunnel_WebSocketOpen",
    (b) => setByte(b, lengthPrefixOf(b, "sec-websocket-protocol") - 1, 0x7f)],
  ["length_overrun", "ToServer_bigBody_len_plus_2", "ToServer_Tunnel_ResponseStart_bigBody",
    (b) => { const at = bigLengthOffset(b, 1); return setByte(b, at, b[at] + 2); }], // 1 more than the rest
  // A 5-byte length above u32: bare-ts says "too large number" before any bounds check.
  ["length_overrun", "ToClient_str_len_over_u32", "ToClient_Init",
    (b) => splice(b, 1, 1, [0xff, 0xff, 0xff, 0xff, 0x1f]), "too large number"],
];

/** Apply the mutation, then require the official decoder to throw a BareError with the expected issue. */
function buildNegative([category, name, from, mutate, expectIssue], positivesByName) {
  const base = positivesByName.get(from);
  if (!base) fail(`${name}: no positive vector ${from}`);
  if (!(category in CATEGORY_ISSUE)) fail(`${name}: unknown category ${category}`);
  const bytes = mutate(base.bytes.slice());
  if (bytesEqual(bytes, base.bytes)) fail(`${name}: mutation did not change the bytes`);
  const [, decode] = CODECS[base.type];
  let error = null;
  try {
    decode(new Uint8Array(bytes));
  } catch (e) {
    error = e;
  }
  if (!error) fail(`${name}: the official decoder ACCEPTED the mutated bytes ${toHex(bytes).slice(0, 200)}`);
  if (error.name !== "BareError") fail(`${name}: official decoder threw a non-BareError: ${error}`);
  const want = expectIssue ?? CATEGORY_ISSUE[category];
  if (error.issue !== want) fail(`${name}: expected "${want}", official decoder said "${error.issue}"`);
  return {
    kind: "negative", category, name, type: base.type, hex: toHex(bytes),
    official_error: error.issue, official_offset: error.offset,
  };
}

// ---------------------------------------------------------------------------
// Coverage checks and summary.

function checkCoverage() {
  const problems = [];
  for (const [union, tags] of Object.entries(UNIONS)) {
    for (const tag of tags) if (!coverage.variants.has(`${union}.${tag}`)) problems.push(`variant ${union}.${tag} not covered`);
  }
  for (const [field, seen] of coverage.optional) {
    if (!seen.present) problems.push(`optional ${field} never present`);
    if (!seen.absent) problems.push(`optional ${field} never absent`);
  }
  for (const [field, values] of Object.entries(ENUM_FIELDS)) {
    for (const v of values) if (!coverage.enums.has(`${field}=${v}`)) problems.push(`enum ${field}=${v} not covered`);
  }
  if (problems.length) fail(`coverage incomplete:\n  ${problems.join("\n  ")}`);
}

function checkCounts(positives, negatives) {
  if (positives.length < 45) fail(`only ${positives.length} positive vectors (need >= 45)`);
  for (const category of Object.keys(CATEGORY_ISSUE)) {
    const types = new Set(negatives.filter((n) => n.category === category).map((n) => n.type));
    const count = negatives.filter((n) => n.category === category).length;
    if (count < 2 || types.size < 2) fail(`category ${category}: need >= 2 vectors on >= 2 types (have ${count} on ${types.size})`);
  }
  const names = new Set();
  for (const v of [...positives, ...negatives]) {
    if (names.has(v.name)) fail(`duplicate vector name ${v.name}`);
    names.add(v.name);
  }
}

function printSummary(positives, negatives, outPath) {
  const log = (s = "") => process.stderr.write(`${s}\n`);
  log(`wrote ${positives.length + negatives.length} vectors to ${outPath}`);
  log(`positive: ${positives.length}`);
  const perType = {};
  for (const p of positives) perType[p.type] = (perType[p.type] ?? 0) + 1;
  for (const [t, n] of Object.entries(perType)) log(`  ${t}: ${n}`);
  log(`negative: ${negatives.length}`);
  for (const category of Object.keys(CATEGORY_ISSUE)) {
    const ns = negatives.filter((n) => n.category === category);
    const issues = [...new Set(ns.map((n) => n.official_error))].join('", "');
    log(`  ${category}: ${ns.length} (official: "${issues}")`);
  }
  log("union variants covered:");
  for (const [union, tags] of Object.entries(UNIONS)) {
    log(`  ${union} (${tags.length}): ${tags.filter((t) => coverage.variants.has(`${union}.${t}`)).join(", ")}`);
  }
  log("optional fields (present/absent count):");
  for (const [field, seen] of coverage.optional) log(`  ${field}: ${seen.present}/${seen.absent}`);
  log(`enum values: ${[...coverage.enums].join(", ")}`);
}

function main() {
  const outPath = process.argv[2];
  if (!outPath) fail("usage: node tests/conformance/make_vectors.mjs <out.jsonl>");

  const positives = POSITIVE.map(buildPositive);
  const byName = new Map(positives.map((p) => [p.name, p]));
  const negatives = NEGATIVE.map((spec) => buildNegative(spec, byName));
  checkCoverage();
  checkCounts(positives, negatives);

  const lines = [
    ...positives.map(({ bytes, ...line }) => JSON.stringify(line)),
    ...negatives.map((line) => JSON.stringify(line)),
  ];
  writeFileSync(outPath, `${lines.join("\n")}\n`);
  printSummary(positives, negatives, outPath);
}

try {
  main();
} catch (e) {
  process.stderr.write(`make_vectors: FAILED: ${e.message}\n`);
  process.exit(1);
}
