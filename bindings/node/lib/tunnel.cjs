'use strict';
// HTTP requests and WebSockets tunneled from the engine's gateway to actors: the native runner's
// fetch/wsOpen/wsMessage/wsClose events become WHATWG Requests and socket objects for
// config.fetch and config.websocket, and their answers go back through the native runner.
// Also the restore of hibernatable WebSockets (Runner.restoreHibernatingRequests) and message
// acknowledgements. Everything runs on the JavaScript thread.

const { RunnerShutdownError, describeError } = require('./errors.cjs');
const { idToStr, idsEqual, socketKey, toArrayBuffer } = require('./ids.cjs');
const { WebSocketTunnelAdapter, MAX_PAYLOAD_SIZE } = require('./websocket.cjs');

const textEncoder = new TextEncoder();

/** The Request for a tunneled HTTP request. GET and HEAD carry no body (Request forbids one). */
function buildFetchRequest({ method, path, headers, body }) {
  const requestHeaders = new Headers();
  for (const [name, value] of headers) requestHeaders.append(name, value);
  const withBody = body && method !== 'GET' && method !== 'HEAD';
  return new Request(`http://localhost${path}`, { method, headers: requestHeaders, body: withBody ? body : undefined });
}

/**
 * The Request that stands for a WebSocket's upgrade request (never sent), as the official runner
 * builds it: http://actor + path, with the Upgrade and Connection headers restored.
 */
function buildWebSocketRequest(path, headers) {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new Error('Path must start with leading slash');
  return new Request(`http://actor${path}`, {
    method: 'GET',
    headers: { ...headers, Upgrade: 'websocket', Connection: 'Upgrade' },
  });
}

/** Reads a body stream whole; throws past the engine's 20 MiB limit without reading further. */
async function readBody(stream) {
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_PAYLOAD_SIZE) {
      reader.cancel().catch(() => {});
      throw new Error('Response body too large');
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * The parts of a Response the engine gets: headers one value per name (the protocol's map; the
 * last wins, as in the official runner), content-length added when there is a body.
 */
async function readResponse(response) {
  if (!response || typeof response.status !== 'number' || typeof response.headers?.forEach !== 'function') {
    throw new TypeError('config.fetch must resolve to a Response');
  }
  const headers = new Map();
  response.headers.forEach((value, name) => headers.set(name, value));
  const body = response.body ? await readBody(response.body) : null;
  if (body && !headers.has('content-length')) headers.set('content-length', String(body.byteLength));
  return { status: response.status, headers: [...headers], body };
}

function validateMeta(meta, index) {
  const where = `restoreHibernatingRequests: metaEntries[${index}]`;
  if (typeof meta !== 'object' || meta === null) throw new TypeError(`${where} must be an object`);
  for (const field of ['gatewayId', 'requestId']) {
    if (!(meta[field] instanceof ArrayBuffer) && !ArrayBuffer.isView(meta[field])) {
      throw new TypeError(`${where}.${field} must be an ArrayBuffer`);
    }
  }
  for (const field of ['clientMessageIndex', 'serverMessageIndex']) {
    if (!Number.isInteger(meta[field]) || meta[field] < 0 || meta[field] > 65535) {
      throw new TypeError(`${where}.${field} must be an integer in 0..65535`);
    }
  }
  if (typeof meta.path !== 'string') throw new TypeError(`${where}.path must be a string`);
  if (typeof meta.headers !== 'object' || meta.headers === null) throw new TypeError(`${where}.headers must be an object`);
}

class Tunnel {
  #runner;
  #config;
  #native;
  #actors;
  #log;
  /** Sockets the native runner knows, by NativeSocket.id (entries: see #track). */
  #sockets = new Map();
  /** Every tracked adapter's entry (stale ones too, which have no NativeSocket). */
  #entries = new WeakMap();
  #stopped = false;

  /**
   * @param runner  the public Runner (handed to config.fetch and config.websocket)
   * @param config  its RunnerConfig
   * @param native  its NativeRunner
   * @param actors  its actors map (actorId -> RunnerActor)
   * @param log     (level, record) => void
   */
  constructor({ runner, config, native, actors, log }) {
    this.#runner = runner;
    this.#config = config;
    this.#native = native;
    this.#actors = actors;
    this.#log = log;
  }

  // MARK: HTTP

  /** A "fetch" event: config.fetch, then native.respond with the whole response. */
  async handleFetch(event) {
    const { token, actorId, gatewayId, requestId } = event;
    try {
      let response;
      if (!this.#actors.has(actorId)) {
        this.#log('warn', { msg: 'ignoring request for unknown actor', actorId });
        // The gateway retries a request answered with this error (the actor moved or stopped).
        response = new Response('Actor not found', { status: 503, headers: { 'x-rivet-error': 'runner.actor_not_found' } });
      } else {
        const request = buildFetchRequest(event);
        const pending = this.#config.fetch(this.#runner, actorId, gatewayId, requestId, request);
        response = pending ? await pending : new Response('Not Implemented', { status: 501 });
      }
      const { status, headers, body } = await readResponse(response);
      if (!this.#stopped) this.#native.respond(token, status, headers, body);
    } catch (error) {
      if (error instanceof RunnerShutdownError || this.#stopped) {
        this.#log('debug', { msg: 'request ended by the runner shutdown', actorId, requestId: idToStr(requestId) });
        return;
      }
      this.#log('error', { msg: 'error handling request', actorId, requestId: idToStr(requestId), error: describeError(error) });
      this.#native.respond(token, 500, [['content-type', 'text/plain']], textEncoder.encode('Internal Server Error'));
    }
  }

  // MARK: WebSockets

  /**
   * A "wsOpen" event: canHibernate, config.websocket (which adds the listeners), then the engine
   * learns whether the socket opens, and the "open" event fires.
   */
  async handleWsOpen(event) {
    const { token, actorId, socket, path, headers } = event;
    const actor = this.#actors.get(actorId);
    if (!actor) {
      this.#log('warn', { msg: 'ignoring websocket for unknown actor', actorId });
      // Refused before the open: the gateway treats it as unavailable and retries.
      this.#native.decideOpen(token, false, false, 1011, 'Actor not found');
      return;
    }
    const existing = this.#sockets.get(socket.id);
    if (existing) {
      this.#log('warn', { msg: 'closing existing websocket for a duplicate open', socketId: socket.id });
      existing.adapter._closeWithoutCallback(1000, 'ws.duplicate_open');
    }
    const headerRecord = Object.fromEntries(headers);
    let entry;
    let canHibernate = false;
    try {
      const request = buildWebSocketRequest(path, headerRecord);
      canHibernate = Boolean(this.#config.hibernatableWebSocket.canHibernate(actorId, socket.gatewayId, socket.requestId, request));
      entry = this.#track(actor, socket, { hibernatable: canHibernate, open: false, request });
      await this.#config.websocket(this.#runner, actorId, entry.adapter.websocket, socket.gatewayId, socket.requestId,
        request, path, headerRecord, canHibernate, false);
    } catch (error) {
      this.#log('error', { msg: 'error handling websocket open', actorId, socketId: socket.id, error: describeError(error) });
      if (entry) this.#untrack(entry);
      if (!this.#stopped) this.#native.decideOpen(token, false, false, 1011, 'Server Error');
      return;
    }
    if (this.#stopped) return;
    if (entry.closedWith) {
      // Closed while config.websocket ran (by the user, or by the actor's stop): the engine opens
      // and closes the client's socket with that code.
      this.#native.decideOpen(token, false, false, entry.closedWith.code, entry.closedWith.reason);
      return;
    }
    entry.decided = true;
    this.#native.decideOpen(token, true, canHibernate, 0, '');
    entry.adapter._handleOpen();
  }

  /** A "wsMessage" event: the socket's "message" event. */
  handleWsMessage({ socketId, data, binary, index }) {
    const entry = this.#sockets.get(socketId);
    if (!entry || !entry.adapter._handleMessage(data, index, binary)) {
      this.#log('warn', { msg: 'websocket message for a socket that is not open, dropped', socketId, index });
    }
  }

  /** A "wsClose" event: the socket's "close" event; the engine already knows. */
  handleWsClose({ socketId, code, reason }) {
    this.#sockets.get(socketId)?.adapter._handleClose(code || 1000, reason || '');
  }

  /**
   * Runner.sendHibernatableWebSocketMessageAck: the client's messages up to `index` are stored.
   * An unknown socket is ignored (it closed meanwhile), as in the official runner.
   */
  ack(gatewayId, requestId, index) {
    if (!Number.isInteger(index) || index < 0 || index > 65535) throw new Error('Invalid websocket ack index');
    const entry = this.#sockets.get(socketKey(gatewayId, requestId));
    if (!entry) {
      this.#log('warn', { msg: 'cannot send websocket ack, socket not found', requestId: idToStr(requestId), index });
      return;
    }
    entry.socket.ack(index);
  }

  // MARK: Hibernation

  /**
   * Runner.restoreHibernatingRequests for `actor`: the sockets both the engine and `metaEntries`
   * know come back OPEN (config.websocket with isRestoringHibernatable); metadata the engine
   * does not know (or the native runner cannot restore) gets a socket that is closed with
   * 1000 "ws.stale_metadata" once config.websocket attached its listeners, so the user's close
   * listener removes it. Sockets the engine knows without metadata are closed natively.
   */
  async restore(actor, metaEntries) {
    if (!Array.isArray(metaEntries)) throw new TypeError('restoreHibernatingRequests: metaEntries must be an array');
    metaEntries.forEach(validateMeta);
    const known = (meta) => actor.hibernatingRequests.some((r) => idsEqual(r.gatewayId, meta.gatewayId) && idsEqual(r.requestId, meta.requestId));
    const listed = metaEntries.filter(known);
    const stale = metaEntries.filter((meta) => !known(meta));
    const sockets = this.#native.restore(actor.actorId, listed.map((meta) => ({
      gatewayId: toArrayBuffer(meta.gatewayId),
      requestId: toArrayBuffer(meta.requestId),
      clientMessageIndex: meta.clientMessageIndex,
      serverMessageIndex: meta.serverMessageIndex,
      path: meta.path,
      headers: Object.entries(meta.headers),
    })));
    const operations = [];
    listed.forEach((meta, i) => {
      if (sockets[i]) operations.push(this.#restoreSocket(actor, meta, sockets[i]));
      else stale.push(meta);
    });
    for (const meta of stale) operations.push(this.#dropStale(actor, meta));
    await Promise.allSettled(operations);
    actor.hibernationRestored = true;
    this.#log('info', { msg: 'restored hibernatable websockets', actorId: actor.actorId, restored: operations.length - stale.length, stale: stale.length });
  }

  async #restoreSocket(actor, meta, socket) {
    let entry;
    try {
      const request = buildWebSocketRequest(meta.path, meta.headers);
      entry = this.#track(actor, socket, { hibernatable: true, open: true, request });
      await this.#config.websocket(this.#runner, actor.actorId, entry.adapter.websocket, socket.gatewayId, socket.requestId,
        request, meta.path, meta.headers, true, true);
    } catch (error) {
      this.#log('error', { msg: 'error restoring websocket', actorId: actor.actorId, socketId: socket.id, error: describeError(error) });
      if (entry) entry.adapter.close(1011, 'ws.restore_error');
      else socket.close(1011, 'ws.restore_error');
    }
  }

  async #dropStale(actor, meta) {
    this.#log('warn', { msg: 'removing stale persisted websocket', actorId: actor.actorId, requestId: idToStr(meta.requestId) });
    let entry;
    try {
      const request = buildWebSocketRequest(meta.path, meta.headers);
      entry = this.#track(actor, null, { hibernatable: true, open: true, request, gatewayId: meta.gatewayId, requestId: meta.requestId });
      await this.#config.websocket(this.#runner, actor.actorId, entry.adapter.websocket, meta.gatewayId, meta.requestId,
        request, meta.path, meta.headers, true, true);
      entry.adapter.close(1000, 'ws.stale_metadata');
    } catch (error) {
      this.#log('error', { msg: 'error creating stale websocket during restore', actorId: actor.actorId, error: describeError(error) });
      if (entry) this.#untrack(entry);
    }
  }

  // MARK: Stops

  /**
   * The actor stopped: its sockets that are not hibernatable get their close event (1000
   * "actor.stopped"; the engine closes the client's end), hibernatable ones are dropped silently
   * (the client stays connected and they come back through restoreHibernatingRequests).
   */
  closeActorSockets(actor, reason = 'actor.stopped') {
    for (const { ws } of [...actor.webSockets]) {
      const entry = this.#entries.get(ws);
      // A socket still opening cannot hibernate: handleWsOpen refuses it with this close.
      if (ws.hibernatable && entry.decided) this.#untrack(entry);
      else ws._closeWithoutCallback(1000, reason);
    }
  }

  /** The runner stopped: every socket as at an actor stop, with "ws.tunnel_shutdown"; nothing is answered any more. */
  shutdown() {
    this.#stopped = true;
    for (const actor of this.#actors.values()) this.closeActorSockets(actor, 'ws.tunnel_shutdown');
  }

  // MARK: Bookkeeping

  /** An adapter for `socket` (null: a stale one the engine does not know), in the maps. */
  #track(actor, socket, { hibernatable, open, request, gatewayId = socket.gatewayId, requestId = socket.requestId }) {
    // decided: the engine knows the socket is open (restored ones are), so a close goes to it.
    // detached: no longer this runner's (closed, or hibernated at its actor's stop): user code
    // may still hold it, but nothing reaches the engine any more, as in the official runner.
    const entry = { actor, socket, adapter: undefined, decided: open, detached: false, closedWith: undefined };
    entry.adapter = new WebSocketTunnelAdapter({
      requestId,
      hibernatable,
      open,
      request,
      onSend: (data) => {
        if (!entry.detached) socket?.send(data);
      },
      onClose: (code, reason, notifyEngine) => {
        const live = !entry.detached;
        this.#untrack(entry);
        if (!entry.decided) entry.closedWith = { code, reason };
        else if (notifyEngine && live && socket && !this.#stopped) socket.close(code, reason);
      },
    });
    this.#entries.set(entry.adapter, entry);
    actor.webSockets.push({ gatewayId, requestId, ws: entry.adapter });
    if (socket) this.#sockets.set(socket.id, entry);
    return entry;
  }

  #untrack(entry) {
    entry.detached = true;
    const index = entry.actor.webSockets.findIndex((e) => e.ws === entry.adapter);
    if (index !== -1) entry.actor.webSockets.splice(index, 1);
    if (entry.socket && this.#sockets.get(entry.socket.id) === entry) this.#sockets.delete(entry.socket.id);
  }
}

module.exports = { Tunnel };
