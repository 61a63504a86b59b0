'use strict';
// A stand-in for the native module (lib/native.d.ts), for facade.test.mjs: it records every call
// the façade makes and lets the test emit the native runner's events, so the façade's behaviour
// is checked without the addon or an engine. Loaded through TETHER_NODE_ADDON like the real one.

class FakeSocket {
  constructor(gatewayBytes, requestBytes) {
    this.gatewayId = new Uint8Array(gatewayBytes).buffer;
    this.requestId = new Uint8Array(requestBytes).buffer;
    this.id = Buffer.from(this.gatewayId).toString('hex') + Buffer.from(this.requestId).toString('hex');
    this.sent = [];
    this.closes = [];
    this.acks = [];
  }
  send(data) {
    this.sent.push(data);
  }
  close(code, reason) {
    this.closes.push([code, reason]);
  }
  ack(index) {
    this.acks.push(index);
  }
}

class NativeRunner {
  static instances = [];

  constructor(config, onEvent) {
    this.config = config;
    this.onEvent = onEvent;
    this.calls = [];
    this.waiters = [];
    this.kv = new Map(); // hex key -> Uint8Array
    this.kvHold = false; // true: KV promises stay pending until "stopped" (as the native side's)
    this.kvHeld = []; // their rejecters
    this.restoreResult = null; // (actorId, stored) => Array<FakeSocket | null>
    this.runnerId = undefined;
    NativeRunner.instances.push(this);
  }

  #record(name, ...args) {
    const call = [name, ...args];
    const waiter = this.waiters.findIndex((w) => w.name === name);
    if (waiter !== -1) {
      call.taken = true;
      this.waiters.splice(waiter, 1)[0].resolve(call);
    }
    this.calls.push(call);
  }

  /** Resolves with the oldest call named `name` not yet taken, waiting for it if needed. */
  next(name) {
    const call = this.calls.find((c) => c[0] === name && !c.taken);
    if (call) {
      call.taken = true;
      return Promise.resolve(call);
    }
    return new Promise((resolve) => this.waiters.push({ name, resolve }));
  }

  /** Calls named `name` so far. */
  all(name) {
    return this.calls.filter((c) => c[0] === name);
  }

  emit(event) {
    // The native side rejects KV calls still waiting for the engine before its last event.
    if (event.type === 'stopped') {
      for (const reject of this.kvHeld.splice(0)) reject(new Error('WebSocket connection closed during shutdown'));
    }
    return this.onEvent(event);
  }

  start() {
    if (this.started) throw new Error('started twice');
    this.started = true;
    this.#record('start');
  }
  drain() { this.#record('drain'); }
  close() { this.#record('close'); }
  serverlessInitPacket() { return this.runnerId === undefined ? undefined : `packet:${this.runnerId}`; }
  finishStart(token, error) { this.#record('finishStart', token, error); }
  finishStop(token) { this.#record('finishStop', token); }
  respond(token, status, headers, body) { this.#record('respond', token, status, headers, body); }
  decideOpen(token, accept, hibernatable, code, reason) { this.#record('decideOpen', token, accept, hibernatable, code, reason); }
  sleepActor(actorId) { this.#record('sleepActor', actorId); }
  stopActor(actorId) { this.#record('stopActor', actorId); }
  destroyActor(actorId) { this.#record('destroyActor', actorId); }
  setAlarm(actorId, ts) { this.#record('setAlarm', actorId, ts); }
  restore(actorId, stored) {
    this.#record('restore', actorId, stored);
    return this.restoreResult ? this.restoreResult(actorId, stored) : stored.map(() => null);
  }

  #kvCall(name, args, run) {
    this.#record(name, ...args);
    if (this.kvHold) return new Promise((_, reject) => this.kvHeld.push(reject));
    return Promise.resolve().then(run);
  }
  kvGet(actorId, keys) {
    return this.#kvCall('kvGet', [actorId, keys], () => keys.map((k) => this.kv.get(Buffer.from(k).toString('hex')) ?? null));
  }
  kvPut(actorId, entries) {
    return this.#kvCall('kvPut', [actorId, entries], () => {
      for (const [k, v] of entries) this.kv.set(Buffer.from(k).toString('hex'), v);
    });
  }
  kvList(actorId, query, reverse, limit) { return this.#kvCall('kvList', [actorId, query, reverse, limit], () => []); }
  kvDelete(actorId, keys) { return this.#kvCall('kvDelete', [actorId, keys], () => undefined); }
  kvDeleteRange(actorId, start, end) { return this.#kvCall('kvDeleteRange', [actorId, start, end], () => undefined); }
  kvDrop(actorId) { return this.#kvCall('kvDrop', [actorId], () => undefined); }
}

module.exports = { NativeRunner, FakeSocket };
