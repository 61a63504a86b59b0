'use strict';
// Gateway and request ids (4-byte ArrayBuffers in protocol v7): their text form and comparison.

/** Lower-case hex of the id's bytes, as the official idToStr (e.g. "0a1b2c3d"). */
function idToStr(id) {
  const bytes = new Uint8Array(id);
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

/** Whether two ids (ArrayBuffers or byte views) hold the same bytes. */
function idsEqual(a, b) {
  const x = toBytes(a);
  const y = toBytes(b);
  if (x.byteLength !== y.byteLength) return false;
  for (let i = 0; i < x.byteLength; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** The key of a tunneled socket: gateway id then request id in hex, as NativeSocket.id. */
function socketKey(gatewayId, requestId) {
  return idToStr(toBytes(gatewayId)) + idToStr(toBytes(requestId));
}

/** An ArrayBuffer with the id's bytes (copied out of a view; user metadata may hold views). */
function toArrayBuffer(id) {
  if (id instanceof ArrayBuffer) return id;
  const bytes = toBytes(id);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

function toBytes(id) {
  return ArrayBuffer.isView(id) ? new Uint8Array(id.buffer, id.byteOffset, id.byteLength) : new Uint8Array(id);
}

module.exports = { idToStr, idsEqual, socketKey, toArrayBuffer };
