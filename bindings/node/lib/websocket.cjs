'use strict';
// The WebSocket that config.websocket receives for a tunneled socket: a VirtualWebSocket of
// @rivetkit/virtual-websocket driven exactly as the official runner's WebSocketTunnelAdapter
// drives it, so user code sees the same object: the same events (message events carry
// rivetRequestId and rivetMessageIndex), readyState, errors, and binary messages as Node Buffers
// (the official adapter never changes its binary type; VirtualWebSocket only accepts the
// binaryType "arraybuffer" and ignores it).
//
// The adapter only keeps the socket's state and converts data; what a send or close does to the
// real socket is the tunnel's (see tunnel.cjs), through the two callbacks.

const { VirtualWebSocket } = require('@rivetkit/virtual-websocket');

/** The engine's limit on one tunneled message or response body (20 MiB). */
const MAX_PAYLOAD_SIZE = 20 * 1024 * 1024;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

class WebSocketTunnelAdapter {
  #state = CONNECTING;
  #ws;
  #requestId;
  #hibernatable;
  #onSend;
  #onClose;

  /**
   * @param options.requestId      ArrayBuffer, set on every event as rivetRequestId
   * @param options.hibernatable   whether the socket outlives its actor's stops
   * @param options.open           true for a restored socket: OPEN at once, no "open" event
   * @param options.request        the Request handed to config.websocket
   * @param options.onSend         (data: string | Uint8Array) => void, after the size check
   * @param options.onClose        (code, reason, notifyEngine) => void, once, when it closes
   */
  constructor({ requestId, hibernatable, open, request, onSend, onClose }) {
    this.#requestId = requestId;
    this.#hibernatable = hibernatable;
    this.#onSend = onSend;
    this.#onClose = onClose;
    this.request = request;
    if (open) this.#state = OPEN;
    this.#ws = new VirtualWebSocket({
      getReadyState: () => this.#state,
      onSend: (data) => this.#send(data),
      onClose: (code, reason) => this.#close(code, reason, true),
      onTerminate: () => this.#terminate(),
    });
  }

  /** The object user code gets. */
  get websocket() {
    return this.#ws;
  }

  get hibernatable() {
    return this.#hibernatable;
  }

  get readyState() {
    return this.#state;
  }

  /** The engine accepted the socket: OPEN and the "open" event. */
  _handleOpen() {
    if (this.#state !== CONNECTING) return;
    this.#state = OPEN;
    this.#ws.dispatchEvent({ type: 'open', rivetRequestId: this.#requestId, target: this.#ws });
  }

  /** A client message: text as a string, binary as a Buffer; index is the client message index. */
  _handleMessage(data, index, binary) {
    if (this.#state !== OPEN) return false;
    const payload = binary && data instanceof Uint8Array ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : data;
    this.#ws.dispatchEvent({
      type: 'message',
      data: payload,
      rivetRequestId: this.#requestId,
      rivetMessageIndex: index,
      target: this.#ws,
    });
    return true;
  }

  /** The client (or the engine) closed it: the close event, nothing sent back. */
  _handleClose(code, reason) {
    this.#close(code, reason, false);
  }

  /** Closes it on this side only (the engine closes or hibernates its end itself). */
  _closeWithoutCallback(code, reason) {
    this.#close(code, reason, false);
  }

  /** Closes it and tells the engine, as the user's ws.close() does. */
  close(code, reason) {
    this.#close(code, reason, true);
  }

  #send(data) {
    let payload;
    if (typeof data === 'string') {
      if (Buffer.byteLength(data, 'utf8') > MAX_PAYLOAD_SIZE) throw new Error('WebSocket message too large');
      payload = data;
    } else if (data instanceof ArrayBuffer) {
      if (data.byteLength > MAX_PAYLOAD_SIZE) throw new Error('WebSocket message too large');
      payload = new Uint8Array(data);
    } else if (ArrayBuffer.isView(data)) {
      if (data.byteLength > MAX_PAYLOAD_SIZE) throw new Error('WebSocket message too large');
      payload = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      // Shared memory may change under the native copy: take a private one.
      if (typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer) payload = payload.slice();
    } else {
      throw new Error('Unsupported data type');
    }
    this.#onSend(payload);
  }

  #close(code, reason, notifyEngine) {
    if (this.#state >= CLOSING) return;
    this.#state = CLOSING;
    this.#onClose(code ?? 1000, reason ?? '', notifyEngine);
    this.#state = CLOSED;
    this.#ws.triggerClose(code ?? 1000, reason ?? '');
  }

  #terminate() {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.#onClose(1006, 'Abnormal Closure', true);
    this.#ws.triggerClose(1006, 'Abnormal Closure', false);
  }
}

module.exports = { WebSocketTunnelAdapter, MAX_PAYLOAD_SIZE };
