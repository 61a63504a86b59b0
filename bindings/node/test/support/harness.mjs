// Shared pieces of the engine tests: the runner package under test, a real engine (the starter of
// tests/node/lib/engine.mjs: free loopback ports, temp dir, telemetry off, RUST_BACKTRACE unset,
// no CPU load shedding), actors created through its REST API, requests and WebSockets through its
// gateway, and a recorder of runner callbacks that tests wait on.
//
// The package under test is lib/mod.js (the native addon from TETHER_NODE_ADDON). To check the
// tests themselves against the oracle, TETHER_TEST_RUNNER_MODULE may name another module with the
// same API (e.g. node_modules/@rivetkit/engine-runner/dist/mod.js); tests of behaviours where we
// deliberately differ are skipped then (`tetherOnly`).
import { Buffer } from 'node:buffer';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { startEngine } from '../../../../tests/node/lib/engine.mjs';
import { uniqueSuffix, waitFor } from '../../../../tests/node/lib/util.mjs';

export { startEngine, waitFor, uniqueSuffix };

const MODULE = process.env.TETHER_TEST_RUNNER_MODULE
  ? pathToFileURL(process.env.TETHER_TEST_RUNNER_MODULE).href
  : new URL('../../lib/mod.js', import.meta.url).href;

/** The package under test: { Runner, RunnerActor, RunnerShutdownError, idToStr }. */
export const pkg = await import(MODULE);
/** Skip option for tests of behaviours only this package has (see the file comment). */
export const tetherOnly = process.env.TETHER_TEST_RUNNER_MODULE ? 'not the tether package' : false;

// child(): the official runner needs it (tests may run against it, see above).
const quiet = { level: 'warn', trace() {}, debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

/** A namespace with a normal runner config named `runnerName`. */
export async function createNamespace(engine, runnerName) {
  const namespace = `ns-${uniqueSuffix()}`;
  await engine.createNamespace(namespace);
  await engine.upsertNormalRunnerConfig(namespace, runnerName);
  return namespace;
}

/** POST /actors: a new actor on `runnerName`; its id. */
export async function createActor(engine, namespace, { name, runnerName, key, input, crashPolicy = 'sleep' }) {
  const body = { name, runner_name_selector: runnerName, crash_policy: crashPolicy };
  if (key !== undefined) body.key = key;
  if (input !== undefined) body.input = Buffer.from(input).toString('base64');
  const { actor } = await engine.rest('POST', `/actors?namespace=${encodeURIComponent(namespace)}`, body);
  return actor.actor_id;
}

/** The engine's stored value of an actor's KV key (REST), or null when missing. */
export async function readKvThroughEngine(engine, namespace, actorId, key) {
  const encoded = Buffer.from(key).toString('base64').replaceAll('+', '-').replaceAll('/', '_'); // padded, as the engine wants
  const response = await fetch(`${engine.endpoint}/actors/${actorId}/kv/keys/${encoded}?namespace=${encodeURIComponent(namespace)}`);
  const body = await response.text();
  if (response.status === 400 && body.includes('kv_key_not_found')) return null;
  if (!response.ok) throw new Error(`KV read ${response.status}: ${body}`);
  return Buffer.from(JSON.parse(body).value, 'base64');
}

/** An HTTP request to an actor through the gateway. */
export function gatewayFetch(engine, actorId, path, init = {}) {
  return fetch(`${engine.endpoint}/gateway/${actorId}${path}`, { signal: AbortSignal.timeout(60_000), ...init });
}

/**
 * A client WebSocket to an actor through the gateway (subprotocol "rivet"), with a queue of
 * received messages and the close it saw.
 */
export async function openSocket(engine, actorId, path) {
  const ws = new WebSocket(`ws://127.0.0.1:${engine.guardPort}/gateway/${actorId}${path}`, ['rivet']);
  const inbox = [];
  const waiters = [];
  let closed;
  let closeWaiters = [];
  ws.on('message', (data, isBinary) => {
    const message = isBinary ? Buffer.from(data) : data.toString('utf8');
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else inbox.push(message);
  });
  ws.on('close', (code, reason) => {
    closed = { code, reason: reason.toString('utf8') };
    for (const resolve of closeWaiters) resolve(closed);
    closeWaiters = [];
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (req, res) => reject(new Error(`WebSocket refused: HTTP ${res.statusCode}`)));
  });
  ws.on('error', () => {});
  return {
    ws,
    send: (data) => ws.send(data),
    /** The next message (string for text, Buffer for binary). */
    next(timeoutMs = 30_000) {
      if (inbox.length) return Promise.resolve(inbox.shift());
      if (closed) return Promise.reject(new Error(`socket closed ${closed.code} ${closed.reason}`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
    },
    async ask(data, timeoutMs) {
      ws.send(data);
      return this.next(timeoutMs);
    },
    /** Resolves with { code, reason } once closed. */
    closed(timeoutMs = 30_000) {
      if (closed) return Promise.resolve(closed);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms`)), timeoutMs);
        closeWaiters.push((c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
    },
    close(code, reason) {
      ws.close(code, reason);
    },
  };
}

/** Runner callbacks as events: { kind, actorId, generation, ... } that tests wait for. */
export class EventLog {
  events = [];

  record(kind, fields = {}) {
    this.events.push({ kind, ...fields });
  }

  find(kind, match = {}) {
    return this.events.find((e) => e.kind === kind && Object.entries(match).every(([k, v]) => e[k] === v));
  }

  count(kind, match = {}) {
    return this.events.filter((e) => e.kind === kind && Object.entries(match).every(([k, v]) => e[k] === v)).length;
  }

  waitFor(kind, match = {}, timeoutMs = 60_000) {
    return waitFor(() => this.find(kind, match), { timeoutMs, intervalMs: 20, what: `${kind} ${JSON.stringify(match)}` });
  }
}

/**
 * A RunnerConfig for `engine`, with the callbacks recorded in `log` and, unless overridden, an
 * actor app that answers:
 *   GET  /info             { actorId, generation, name, key, input }
 *   ANY  /echo             method, url, headers and body of the request, as JSON
 *   POST /bytes            the request body back, with its content type
 *   GET  /big?n=N          N bytes (0, 1, ... 255 repeated)
 *   GET  /throw            a throw (500)
 *   GET  /sleep            sleepActor (answers first)
 *   GET  /alarm?ms=N       setAlarm(now + N), then sleepActor
 *   WS   /echo             echoes text and binary; "close:<code>:<reason>" closes with that
 */
export function runnerConfig({ engine, namespace, runnerName, log, overrides = {} }) {
  return {
    version: 1,
    endpoint: engine.endpoint,
    namespace,
    runnerName,
    totalSlots: 20,
    prepopulateActorNames: { app: { metadata: {} } },
    noAutoShutdown: true,
    logger: quiet,
    onConnected: () => log.record('connected'),
    onDisconnected: (code, reason) => log.record('disconnected', { code, reason }),
    onShutdown: () => log.record('shutdown'),
    async onActorStart(actorId, generation, actorConfig) {
      log.record('start', { actorId, generation, config: actorConfig });
    },
    async onActorStop(actorId, generation) {
      log.record('stop', { actorId, generation });
    },
    async fetch(r, actorId, gatewayId, requestId, request) {
      const url = new URL(request.url);
      log.record('fetch', { actorId, path: url.pathname });
      const actor = r.getActor(actorId);
      switch (url.pathname) {
        case '/info':
          return Response.json({ actorId, generation: actor.generation, name: actor.config.name, key: actor.config.key,
            input: actor.config.input ? Buffer.from(actor.config.input).toString('utf8') : null,
            gatewayId: pkg.idToStr(gatewayId), requestId: pkg.idToStr(requestId) });
        case '/echo':
          return Response.json({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers),
            body: request.body ? Buffer.from(await request.arrayBuffer()).toString('base64') : null });
        case '/bytes':
          return new Response(await request.arrayBuffer(), { headers: { 'content-type': request.headers.get('content-type') ?? 'application/octet-stream', 'x-answer': 'yes' } });
        case '/big': {
          const n = Number(url.searchParams.get('n'));
          const body = new Uint8Array(n);
          for (let i = 0; i < n; i++) body[i] = i & 0xff;
          return new Response(body);
        }
        case '/throw':
          throw new Error('handler failed on purpose');
        case '/sleep':
          setTimeout(() => r.sleepActor(actorId), 50);
          return new Response('sleeping');
        case '/alarm':
          r.setAlarm(actorId, Date.now() + Number(url.searchParams.get('ms')));
          setTimeout(() => r.sleepActor(actorId), 50);
          return new Response('alarm set');
        default:
          return new Response('not found', { status: 404 });
      }
    },
    async websocket(r, actorId, ws, gatewayId, requestId, request, path) {
      log.record('websocket', { actorId, path });
      ws.addEventListener('message', (event) => {
        if (typeof event.data === 'string' && event.data.startsWith('close:')) {
          const [, code, reason] = event.data.split(':');
          ws.close(Number(code), reason);
        } else {
          ws.send(event.data);
        }
      });
      ws.addEventListener('close', (event) => log.record('ws-close', { actorId, path, code: event.code, reason: event.reason }));
    },
    hibernatableWebSocket: { canHibernate: () => false },
    ...overrides,
  };
}

/** Starts a Runner and waits for onConnected (shutting it down if that fails, so nothing lingers). */
export async function startRunner(config, log) {
  const runner = new pkg.Runner(config);
  await runner.start();
  try {
    await log.waitFor('connected', {}, 120_000);
  } catch (error) {
    await runner.shutdown(true);
    throw error;
  }
  return runner;
}
