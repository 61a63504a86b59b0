'use strict';
// Runner: the public class, the API of @rivetkit/engine-runner 2.2.1's Runner on tether's native
// runner (native.d.ts). The native runner owns the engine connection, commands, events, KV and
// the tunnel; this class turns its events into the RunnerConfig callbacks, answers them, and keeps
// the JavaScript-side state the official API exposes (actors, sockets, protocol metadata).
// Everything runs on the JavaScript thread.

const { validateConfig, toNativeConfig } = require('./config.cjs');
const { RunnerActor, promiseWithResolvers } = require('./actor.cjs');
const { RunnerShutdownError, errorMessage, describeError } = require('./errors.cjs');
const { writeLog } = require('./logging.cjs');
const { Tunnel } = require('./tunnel.cjs');

const PROTOCOL_VERSION = 7;
/** What getPegboardWebSocketIfReady returns while connected: there is no JavaScript WebSocket. */
const CONNECTED_SOCKET = Object.freeze({ readyState: 1 });

// The addon is loaded by the first Runner, not when this package is imported: importing it does
// no I/O, and an app that never makes a Runner runs where no binary exists.
let nativeModule;
function loadNative() {
  if (!nativeModule) {
    const loaded = require('./native.cjs');
    if (typeof loaded.NativeRunner !== 'function') {
      throw new Error('@tether/engine-runner: the native addon has no NativeRunner (a build older than this package?)');
    }
    nativeModule = loaded;
  }
  return nativeModule;
}

function toBytes(value, what) {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new TypeError(`${what} must be a Uint8Array`);
}

function toByteList(values, what) {
  if (!Array.isArray(values)) throw new TypeError(`${what} must be an array of Uint8Array`);
  return values.map((value, i) => toBytes(value, `${what}[${i}]`));
}

function listOptions(options) {
  const limit = options?.limit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new TypeError('KvListOptions.limit must be a non-negative integer');
  }
  return { reverse: Boolean(options?.reverse), limit: limit === undefined ? null : limit };
}

class Runner {
  #config;
  #native;
  #tunnel;
  #actors = new Map();
  /** Per actor: settles when its stop finished (forceStopActor waits for it). */
  #stopSignals = new WeakMap();
  #restoring = new WeakSet();
  #protocolMetadata;
  #childLog;
  #started = false;
  #shutdownRequested = false;
  #draining = false;
  #connected = false;
  #stopped = false;
  #stoppedSignal = promiseWithResolvers();

  /** The engine's id for this runner; set when the engine accepted the connection. */
  runnerId = undefined;

  constructor(config) {
    validateConfig(config);
    this.#config = config;
    const { NativeRunner } = loadNative();
    this.#native = new NativeRunner(toNativeConfig(config, (record) => this.#write('warn', record)), (event) => this.#dispatch(event));
    this.#tunnel = new Tunnel({
      runner: this,
      config,
      native: this.#native,
      actors: this.#actors,
      log: (level, record) => this.#write(level, record),
    });
  }

  get config() {
    return this.#config;
  }

  /** RunnerConfig.logger, as a child with the runnerId once connected (when it has child()). */
  get log() {
    const logger = this.#config.logger;
    if (!logger || this.runnerId === undefined || typeof logger.child !== 'function') return logger;
    if (this.#childLog?.runnerId !== this.runnerId) {
      this.#childLog = { runnerId: this.runnerId, logger: logger.child({ runnerId: this.runnerId }) };
    }
    return this.#childLog.logger;
  }

  // MARK: Lifecycle

  async start() {
    if (this.#started) throw new Error('Cannot call runner.start twice');
    this.#started = true;
    if (this.#shutdownRequested) throw new RunnerShutdownError();
    this.#write('info', { msg: 'starting runner' });
    try {
      this.#native.start();
    } catch (error) {
      this.#started = false;
      throw error;
    }
  }

  async shutdown(immediate, exit = false) {
    if (this.#shutdownRequested) {
      // An immediate shutdown during a drain ends the drain (the official runner ignores it).
      if (immediate && this.#draining && !this.#stopped) {
        this.#draining = false;
        this.#native.close();
      }
      return;
    }
    this.#shutdownRequested = true;
    this.#draining = !immediate;
    this.#write('info', { msg: 'starting shutdown', immediate, exit });
    if (!this.#started) {
      this.#onStopped(null);
    } else if (!this.#stopped) {
      if (immediate) {
        this.#native.close();
      } else {
        // The native runner bounds the drain (120 s, as the official runner) and then closes.
        this.#native.drain();
      }
      await this.#stoppedSignal.promise;
    }
    if (exit) process.exit(0);
  }

  // MARK: Actors

  getActor(actorId, generation) {
    const actor = this.#actors.get(actorId);
    if (!actor) {
      this.#write('warn', { msg: 'actor not found', actorId });
      return undefined;
    }
    if (generation !== undefined && actor.generation !== generation) {
      this.#write('warn', { msg: 'actor generation mismatch', actorId, generation });
      return undefined;
    }
    return actor;
  }

  async getAndWaitForActor(actorId, generation) {
    const actor = this.getActor(actorId, generation);
    if (!actor) return undefined;
    await actor.actorStartPromise.promise;
    return actor;
  }

  hasActor(actorId, generation) {
    const actor = this.#actors.get(actorId);
    return !!actor && (generation === undefined || actor.generation === generation);
  }

  get actors() {
    return this.#actors;
  }

  sleepActor(actorId, generation) {
    const actor = this.getActor(actorId, generation);
    if (actor) this.#nativeCall('sleep actor', actorId, () => this.#native.sleepActor(actorId));
  }

  async stopActor(actorId, generation) {
    const actor = this.getActor(actorId, generation);
    if (actor) this.#nativeCall('stop actor', actorId, () => this.#native.stopActor(actorId));
  }

  destroyActor(actorId, generation) {
    const actor = this.getActor(actorId, generation);
    if (!actor) return;
    actor.stopIntentSent = true;
    this.#nativeCall('destroy actor', actorId, () => this.#native.destroyActor(actorId));
  }

  /**
   * The native runner has no local-only stop: this asks the engine to stop the actor (crash
   * policy applies, as for the official forced stop) and resolves once the stop finished here.
   */
  async forceStopActor(actorId, generation) {
    const actor = this.getActor(actorId, generation);
    if (!actor) return;
    const stopped = this.#stopSignal(actor).promise;
    if (this.#nativeCall('stop actor', actorId, () => this.#native.stopActor(actorId))) await stopped;
  }

  setAlarm(actorId, alarmTs, generation) {
    if (alarmTs !== null && !Number.isFinite(alarmTs)) throw new TypeError('setAlarm: alarmTs must be a timestamp in ms or null');
    const actor = this.getActor(actorId, generation);
    if (actor) this.#nativeCall('set alarm', actorId, () => this.#native.setAlarm(actorId, alarmTs));
  }

  clearAlarm(actorId, generation) {
    this.setAlarm(actorId, null, generation);
  }

  // MARK: KV

  kvGet(actorId, keys) {
    return this.#kv(() => this.#native.kvGet(actorId, toByteList(keys, 'kvGet: keys')));
  }

  kvListAll(actorId, options) {
    return this.#kvList(actorId, () => ({ all: true }), options);
  }

  kvListRange(actorId, start, end, exclusive, options) {
    return this.#kvList(actorId, () => ({
      start: toBytes(start, 'kvListRange: start'),
      end: toBytes(end, 'kvListRange: end'),
      exclusive: Boolean(exclusive),
    }), options);
  }

  kvListPrefix(actorId, prefix, options) {
    return this.#kvList(actorId, () => ({ prefix: toBytes(prefix, 'kvListPrefix: prefix') }), options);
  }

  kvPut(actorId, entries) {
    return this.#kv(() => {
      if (!Array.isArray(entries)) throw new TypeError('kvPut: entries must be an array of [key, value]');
      const pairs = entries.map((entry, i) => {
        if (!Array.isArray(entry) || entry.length !== 2) throw new TypeError(`kvPut: entries[${i}] must be [key, value]`);
        return [toBytes(entry[0], `kvPut: entries[${i}][0]`), toBytes(entry[1], `kvPut: entries[${i}][1]`)];
      });
      return this.#native.kvPut(actorId, pairs);
    });
  }

  kvDelete(actorId, keys) {
    return this.#kv(() => this.#native.kvDelete(actorId, toByteList(keys, 'kvDelete: keys')));
  }

  kvDeleteRange(actorId, start, end) {
    return this.#kv(() => this.#native.kvDeleteRange(actorId, toBytes(start, 'kvDeleteRange: start'), toBytes(end, 'kvDeleteRange: end')));
  }

  kvDrop(actorId) {
    return this.#kv(() => this.#native.kvDrop(actorId));
  }

  // MARK: Hibernatable WebSockets

  async restoreHibernatingRequests(actorId, metaEntries) {
    if (this.#stopped) throw new RunnerShutdownError();
    const actor = this.getActor(actorId);
    if (!actor) throw new Error(`Actor ${actorId} not found for restoring hibernating requests`);
    if (actor.hibernationRestored || this.#restoring.has(actor)) {
      throw new Error(`Actor ${actorId} already restored hibernating requests`);
    }
    this.#restoring.add(actor);
    try {
      await this.#tunnel.restore(actor, metaEntries);
    } finally {
      this.#restoring.delete(actor);
    }
  }

  sendHibernatableWebSocketMessageAck(gatewayId, requestId, index) {
    if (this.#stopped) throw new RunnerShutdownError();
    this.#tunnel.ack(gatewayId, requestId, index);
  }

  // MARK: Engine connection

  getServerlessInitPacket() {
    if (this.runnerId === undefined) return undefined;
    return this.#native.serverlessInitPacket();
  }

  getProtocolMetadata() {
    return this.#protocolMetadata;
  }

  get pegboardEndpoint() {
    return this.#config.pegboardEndpoint || this.#config.endpoint;
  }

  /** The URL the runner connects to, without runner_key (the native runner chooses the key). */
  get pegboardUrl() {
    const base = this.pegboardEndpoint.replace('http://', 'ws://').replace('https://', 'wss://').replace(/\/$/, '');
    return `${base}/runners/connect?protocol_version=${PROTOCOL_VERSION}&namespace=${encodeURIComponent(this.#config.namespace)}`;
  }

  getPegboardWebSocketIfReady() {
    return this.#connected && !this.#stopped ? CONNECTED_SOCKET : undefined;
  }

  __sendToServer() {
    throw new Error('__sendToServer is not supported by @tether/engine-runner: the native runner owns the engine connection');
  }

  // MARK: Native events

  /** The native runner's event callback: never throws (nothing may escape into native code). */
  #dispatch(event) {
    try {
      switch (event.type) {
        case 'connected':
          this.#onConnected(event);
          break;
        case 'disconnected':
          this.#connected = false;
          this.#config.onDisconnected(event.code, event.reason);
          break;
        case 'stopped':
          this.#onStopped(event.error);
          break;
        case 'log':
          writeLog(this.log, event.level, { ...event.fields, msg: event.msg });
          break;
        case 'actorStart':
          this.#background(this.#onActorStart(event), 'actor start');
          break;
        case 'actorStop':
          this.#background(this.#onActorStop(event), 'actor stop');
          break;
        case 'fetch':
          this.#background(this.#tunnel.handleFetch(event), 'request');
          break;
        case 'wsOpen':
          this.#background(this.#tunnel.handleWsOpen(event), 'websocket open');
          break;
        case 'wsMessage':
          this.#tunnel.handleWsMessage(event);
          break;
        case 'wsClose':
          this.#tunnel.handleWsClose(event);
          break;
        default:
          this.#write('warn', { msg: 'unknown native runner event', type: event.type });
      }
    } catch (error) {
      this.#write('error', { msg: `error handling the native runner's ${event?.type} event`, error: describeError(error) });
    }
  }

  #onConnected({ runnerId, runnerLostThreshold, actorStopThreshold, serverlessDrainGracePeriod }) {
    this.runnerId = runnerId;
    this.#protocolMetadata = { runnerLostThreshold, actorStopThreshold, serverlessDrainGracePeriod };
    this.#connected = true;
    this.#write('info', { msg: 'received init', runnerId });
    this.#config.onConnected();
  }

  async #onActorStart({ token, actorId, generation, name, key, createTs, input, hibernating }) {
    const config = { name, key, createTs, input };
    const actor = new RunnerActor(actorId, generation, config,
      hibernating.map(({ gatewayId, requestId }) => ({ gatewayId, requestId })));
    const existing = this.#actors.get(actorId);
    if (existing) {
      this.#write('warn', { msg: 'replacing existing actor in actors map', actorId, existingGeneration: existing.generation, newGeneration: generation });
    }
    this.#actors.set(actorId, actor);
    this.#write('info', { msg: 'created actor', actorId, name, key, generation, hibernatingRequests: hibernating.length, actors: this.#actors.size });
    let failure;
    try {
      await this.#config.onActorStart(actorId, generation, config);
    } catch (error) {
      failure = error;
    }
    if (failure === undefined) {
      actor.actorStartPromise.resolve();
      if (!this.#stopped) this.#native.finishStart(token, null);
      return;
    }
    this.#write('error', { msg: 'error starting runner actor', actorId, error: describeError(failure) });
    actor.actorStartPromise.reject(failure);
    // As the official runner: a failed start is a stop (onActorStop, sockets closed, the actor
    // removed), which the engine sees as a stop with this error.
    await this.#stopActorHere(actor);
    if (!this.#stopped) this.#native.finishStart(token, errorMessage(failure));
  }

  async #onActorStop({ token, actorId, generation }) {
    try {
      const actor = this.#actors.get(actorId);
      if (actor && actor.generation === generation) await this.#stopActorHere(actor);
      else this.#write('warn', { msg: 'stop for an actor that is not running here', actorId, generation });
    } finally {
      if (!this.#stopped) this.#native.finishStop(token);
    }
  }

  /** onActorStop, then the actor's sockets closed (hibernatable ones kept by the engine), then removed. */
  async #stopActorHere(actor) {
    try {
      await this.#config.onActorStop(actor.actorId, actor.generation);
    } catch (error) {
      this.#write('error', { msg: `Error in onActorStop for actor ${actor.actorId}`, actorId: actor.actorId, error: describeError(error) });
    }
    this.#tunnel.closeActorSockets(actor);
    if (this.#actors.get(actor.actorId) === actor) this.#actors.delete(actor.actorId);
    this.#write('info', { msg: 'removed actor', actorId: actor.actorId, actors: this.#actors.size });
    this.#stopSignals.get(actor)?.resolve();
  }

  #onStopped(error) {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#shutdownRequested = true;
    this.#connected = false;
    if (error) this.#write('error', { msg: 'runner stopped', error });
    this.#tunnel.shutdown();
    for (const actor of this.#actors.values()) this.#stopSignals.get(actor)?.resolve();
    try {
      this.#config.onShutdown();
    } catch (callbackError) {
      this.#write('error', { msg: 'error in onShutdown', error: describeError(callbackError) });
    }
    this.#stoppedSignal.resolve();
  }

  // MARK: Helpers

  #stopSignal(actor) {
    let signal = this.#stopSignals.get(actor);
    if (!signal) {
      signal = promiseWithResolvers();
      this.#stopSignals.set(actor, signal);
    }
    return signal;
  }

  #kvList(actorId, query, options) {
    return this.#kv(() => {
      const { reverse, limit } = listOptions(options);
      return this.#native.kvList(actorId, query(), reverse, limit);
    });
  }

  /**
   * Runs a native KV call; after the stop it rejects with RunnerShutdownError. Calls still waiting
   * for the engine when the runner stops are rejected by the native side, before "stopped".
   */
  #kv(call) {
    if (this.#stopped) return Promise.reject(new RunnerShutdownError());
    try {
      return call();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Actor operations are fire-and-forget in the official API: a refusal is logged, not thrown. */
  #nativeCall(what, actorId, call) {
    try {
      call();
      return true;
    } catch (error) {
      this.#write('warn', { msg: `cannot ${what}`, actorId, error: errorMessage(error) });
      return false;
    }
  }

  #background(promise, what) {
    promise.catch((error) => this.#write('error', { msg: `error handling ${what}`, error: describeError(error) }));
  }

  #write(level, record) {
    writeLog(this.log, level, record);
  }
}

module.exports = { Runner };
