// The JavaScript façade alone, on a fake native module (support/fake-native.cjs) instead of the
// addon: how native events become RunnerConfig callbacks and how their results go back, without an
// engine. The same behaviours through the real addon and engine are in the other test files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// Before the first Runner: the façade loads the native module lazily, through native.cjs.
process.env.TETHER_NODE_ADDON = fileURLToPath(new URL('./support/fake-native.cjs', import.meta.url));
const require = createRequire(import.meta.url);
const nativeLoaderPath = require.resolve('../lib/native.cjs');

const { Runner, RunnerActor, RunnerShutdownError, idToStr } = await import('../lib/mod.js');
const cjs = require('../lib/mod.cjs');
const { NativeRunner, FakeSocket } = require('./support/fake-native.cjs');

const MIB = 1024 * 1024;
// Failures the tests cause on purpose are logged; keep them out of the output.
const quietLogger = { level: 'info', trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const text = (bytes) => Buffer.from(bytes).toString('utf8');

function baseConfig(overrides = {}) {
  return {
    version: 1,
    endpoint: 'http://127.0.0.1:6420',
    namespace: 'ns',
    runnerName: 'pool',
    totalSlots: 10,
    prepopulateActorNames: { counter: { metadata: { icon: 'x' } } },
    onConnected() {},
    onDisconnected() {},
    onShutdown() {},
    async fetch() {
      return new Response('ok');
    },
    async websocket() {},
    hibernatableWebSocket: { canHibernate: () => false },
    async onActorStart() {},
    async onActorStop() {},
    logger: quietLogger,
    ...overrides,
  };
}

/** A started Runner on a fresh fake native runner, connected, with `actorId` running. */
async function setup(overrides = {}, { actorId = 'actor-1', hibernating = [] } = {}) {
  const runner = new Runner(baseConfig(overrides));
  const native = NativeRunner.instances.at(-1);
  await runner.start();
  native.runnerId = 'runner-1';
  native.emit({ type: 'connected', runnerId: 'runner-1', runnerLostThreshold: 15000n, actorStopThreshold: 60000n, serverlessDrainGracePeriod: null });
  if (actorId) {
    native.emit({ type: 'actorStart', token: 1, actorId, generation: 0, name: 'counter', key: 'k', createTs: 5n, input: null, hibernating });
    assert.deepEqual((await native.next('finishStart')).slice(1), [1, null]);
  }
  return { runner, native };
}

async function fetchVia(native, init) {
  native.emit({ type: 'fetch', token: 7, actorId: 'actor-1', gatewayId: new Uint8Array([1, 2, 3, 4]).buffer, requestId: new Uint8Array([5, 6, 7, 8]).buffer,
    method: 'GET', path: '/', headers: [], body: null, ...init });
  const [, token, status, headers, body] = await native.next('respond');
  return { token, status, headers: Object.fromEntries(headers), body };
}

test('importing the package loads no native code; both entry points export the same objects', () => {
  assert.equal(require.cache[nativeLoaderPath], undefined);
  assert.equal(cjs.Runner, Runner);
  assert.equal(cjs.RunnerShutdownError, RunnerShutdownError);
  assert.equal(cjs.RunnerActor, RunnerActor);
  assert.equal(new RunnerShutdownError().message, 'Runner shut down');
  assert.ok(new RunnerShutdownError() instanceof Error);
  assert.equal(idToStr(new Uint8Array([0, 1, 0xab, 0xff]).buffer), '0001abff');
});

test('a bad RunnerConfig is a TypeError naming the field', () => {
  const cases = [
    [{ totalSlots: 0 }, /RunnerConfig\.totalSlots must be a positive integer/],
    [{ totalSlots: 1.5 }, /RunnerConfig\.totalSlots/],
    [{ version: -1 }, /RunnerConfig\.version/],
    [{ endpoint: 'ftp://x' }, /RunnerConfig\.endpoint/],
    [{ endpoint: undefined }, /RunnerConfig\.endpoint/],
    [{ namespace: '' }, /RunnerConfig\.namespace/],
    [{ runnerName: 3 }, /RunnerConfig\.runnerName/],
    [{ onActorStart: 'no' }, /RunnerConfig\.onActorStart must be a function/],
    [{ fetch: undefined }, /RunnerConfig\.fetch must be a function/],
    [{ hibernatableWebSocket: {} }, /RunnerConfig\.hibernatableWebSocket\.canHibernate must be a function/],
    [{ prepopulateActorNames: { a: { metadata: 1 } } }, /RunnerConfig\.prepopulateActorNames\.a\.metadata/],
    [{ logger: { info() {} } }, /RunnerConfig\.logger/],
    [{ token: 5 }, /RunnerConfig\.token/],
  ];
  for (const [patch, message] of cases) {
    assert.throws(() => new Runner(baseConfig(patch)), (error) => error instanceof TypeError && message.test(error.message), JSON.stringify(patch));
  }
  assert.throws(() => new Runner(null), TypeError);
});

test('the native config: endpoint, names as JSON, metadata, token, log settings, TLS roots', () => {
  new Runner(baseConfig({ pegboardEndpoint: 'https://engine.example/prefix', token: 't', metadata: { a: 1 }, logger: { level: 'debug', trace() {}, debug() {}, info() {}, warn() {}, error() {} } }));
  const { config } = NativeRunner.instances.at(-1);
  assert.equal(config.endpoint, 'https://engine.example/prefix');
  assert.equal(config.token, 't');
  assert.deepEqual(config.prepopulateActorNames, { counter: '{"icon":"x"}' });
  assert.equal(config.metadataJson, '{"a":1}');
  assert.equal(config.logLevel, 'debug');
  assert.equal(config.logs, true);
  assert.match(config.trustedRootsPem, /-----BEGIN CERTIFICATE-----/);
  new Runner(baseConfig({ token: '', logger: undefined }));
  const second = NativeRunner.instances.at(-1).config;
  assert.equal(second.token, undefined);
  assert.equal(second.metadataJson, '');
  assert.equal(second.logs, false);
});

test('start, connected, protocol metadata, serverless packet; start twice rejects', async () => {
  let connected = 0;
  const { runner, native } = await setup({ onConnected: () => connected++ }, { actorId: null });
  assert.equal(connected, 1);
  assert.equal(runner.runnerId, 'runner-1');
  assert.deepEqual(runner.getProtocolMetadata(), { runnerLostThreshold: 15000n, actorStopThreshold: 60000n, serverlessDrainGracePeriod: null });
  assert.equal(runner.getServerlessInitPacket(), 'packet:runner-1');
  assert.deepEqual(runner.getPegboardWebSocketIfReady(), { readyState: 1 });
  assert.equal(runner.pegboardUrl, 'ws://127.0.0.1:6420/runners/connect?protocol_version=7&namespace=ns');
  await assert.rejects(runner.start(), { message: 'Cannot call runner.start twice' });
  assert.throws(() => runner.__sendToServer({}), /not supported/);
  native.emit({ type: 'disconnected', code: 1006, reason: 'gone' });
  assert.equal(runner.getPegboardWebSocketIfReady(), undefined);
});

test('actor start: RunnerActor in actors, onActorStart args, finishStart; a failed start stops it', async () => {
  const started = [];
  const stopped = [];
  const { runner, native } = await setup({
    async onActorStart(actorId, generation, config) {
      started.push([actorId, generation, config]);
      if (actorId === 'bad') throw new Error('boom');
    },
    async onActorStop(actorId, generation) {
      stopped.push([actorId, generation]);
    },
  }, { hibernating: [{ gatewayId: new Uint8Array([1, 1, 1, 1]).buffer, requestId: new Uint8Array([2, 2, 2, 2]).buffer }] });
  assert.deepEqual(started[0], ['actor-1', 0, { name: 'counter', key: 'k', createTs: 5n, input: null }]);
  const actor = runner.getActor('actor-1');
  assert.ok(actor instanceof RunnerActor);
  assert.equal(actor.hibernatingRequests.length, 1);
  assert.equal(runner.hasActor('actor-1', 0), true);
  assert.equal(runner.hasActor('actor-1', 1), false);
  assert.equal(await runner.getAndWaitForActor('actor-1'), actor);

  native.emit({ type: 'actorStart', token: 2, actorId: 'bad', generation: 3, name: 'counter', key: null, createTs: 1n, input: new Uint8Array([9]), hibernating: [] });
  assert.deepEqual((await native.next('finishStart')).slice(1), [2, 'boom']);
  assert.deepEqual(stopped, [['bad', 3]]);
  assert.equal(runner.hasActor('bad'), false);
});

test('actor stop: onActorStop (a throw is logged), removal, finishStop', async () => {
  const errors = [];
  const logger = { trace() {}, debug() {}, info() {}, warn() {}, error: (r) => errors.push(r) };
  const { runner, native } = await setup({ logger, async onActorStop() { throw new Error('stop failed'); } });
  native.emit({ type: 'actorStop', token: 9, actorId: 'actor-1', generation: 0 });
  assert.deepEqual((await native.next('finishStop')).slice(1), [9]);
  assert.equal(runner.hasActor('actor-1'), false);
  assert.ok(errors.some((r) => /onActorStop/.test(r.msg) && /stop failed/.test(r.error)));
  // A stop for an actor that is not here is answered at once.
  native.emit({ type: 'actorStop', token: 10, actorId: 'nobody', generation: 0 });
  assert.deepEqual((await native.next('finishStop')).slice(1), [10]);
});

test('fetch: Request built as the official runner does, Response read whole', async () => {
  let seen;
  const { native } = await setup({
    async fetch(runner, actorId, gatewayId, requestId, request) {
      seen = { actorId, gatewayId: idToStr(gatewayId), requestId: idToStr(requestId), url: request.url, method: request.method,
        headers: Object.fromEntries(request.headers), body: request.body ? Buffer.from(await request.arrayBuffer()) : null };
      return new Response(new Uint8Array([0, 1, 2, 255]), { status: 201, headers: { 'x-a': '1', 'set-cookie': 'a=1' } });
    },
  });
  const post = await fetchVia(native, { method: 'POST', path: '/p?q=1', headers: [['x-h', 'v'], ['content-type', 'application/octet-stream']], body: new Uint8Array([0, 255, 7]) });
  assert.deepEqual(seen, { actorId: 'actor-1', gatewayId: '01020304', requestId: '05060708', url: 'http://localhost/p?q=1', method: 'POST',
    headers: { 'x-h': 'v', 'content-type': 'application/octet-stream' }, body: Buffer.from([0, 255, 7]) });
  assert.equal(post.status, 201);
  assert.equal(post.headers['x-a'], '1');
  assert.equal(post.headers['content-length'], '4');
  assert.deepEqual([...post.body], [0, 1, 2, 255]);
  // GET carries no body even if one came.
  await fetchVia(native, { method: 'GET', body: new Uint8Array([1]) });
  assert.equal(seen.body, null);
});

test('fetch errors: over 20 MiB, a throw, a non-Response, an unknown actor; the runner keeps serving', async () => {
  let mode;
  const { native } = await setup({
    async fetch() {
      if (mode === 'big') return new Response(new Uint8Array(20 * MIB + 1));
      if (mode === 'exact') return new Response(new Uint8Array(20 * MIB));
      if (mode === 'throw') throw new Error('handler failed');
      if (mode === 'shutdown') throw new RunnerShutdownError();
      if (mode === 'nothing') return undefined;
      return new Response('fine');
    },
  });
  for (const m of ['big', 'throw', 'nothing']) {
    mode = m;
    const r = await fetchVia(native, {});
    assert.equal(r.status, 500, m);
    assert.equal(r.headers['content-type'], 'text/plain');
    assert.equal(text(r.body), 'Internal Server Error');
  }
  mode = 'exact';
  assert.equal((await fetchVia(native, {})).body.byteLength, 20 * MIB);
  mode = 'ok';
  assert.equal(text((await fetchVia(native, {})).body), 'fine');
  const missing = await fetchVia(native, { actorId: 'nobody' });
  assert.equal(missing.status, 503);
  assert.equal(missing.headers['x-rivet-error'], 'runner.actor_not_found');
  mode = 'shutdown';
  native.emit({ type: 'fetch', token: 99, actorId: 'actor-1', gatewayId: new ArrayBuffer(4), requestId: new ArrayBuffer(4), method: 'GET', path: '/', headers: [], body: null });
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(native.all('respond').some((c) => c[1] === 99), false, 'RunnerShutdownError: no response');
});

function wsOpen(native, socket, { path = '/ws', headers = [['sec-websocket-protocol', 'rivet']], token = 20, actorId = 'actor-1' } = {}) {
  native.emit({ type: 'wsOpen', token, actorId, socket, path, headers });
}

test('websocket: open, messages (text, Buffer, index), send, close both ways', async () => {
  const events = [];
  let args;
  let ws;
  const { runner, native } = await setup({
    hibernatableWebSocket: { canHibernate: (actorId, g, r, request) => request.url === 'http://actor/hws' },
    async websocket(...a) {
      args = a;
      ws = a[2];
      ws.addEventListener('open', () => events.push(['open', ws.readyState]));
      ws.addEventListener('message', (e) => events.push(['message', e.data, e.rivetMessageIndex, idToStr(e.rivetRequestId)]));
      ws.addEventListener('close', (e) => events.push(['close', e.code, e.reason]));
      assert.throws(() => ws.send('too early'), /CONNECTING/);
    },
  });
  const socket = new FakeSocket([1, 2, 3, 4], [9, 9, 9, 9]);
  wsOpen(native, socket, { path: '/hws' });
  assert.deepEqual((await native.next('decideOpen')).slice(1), [20, true, true, 0, '']);
  assert.equal(args[0], runner);
  assert.equal(args[1], 'actor-1');
  assert.equal(args[5].url, 'http://actor/hws');
  assert.equal(args[5].headers.get('upgrade'), 'websocket');
  assert.deepEqual([args[6], args[7], args[8], args[9]], ['/hws', { 'sec-websocket-protocol': 'rivet' }, true, false]);
  native.emit({ type: 'wsMessage', actorId: 'actor-1', socketId: socket.id, data: 'hi', binary: false, index: 1 });
  native.emit({ type: 'wsMessage', actorId: 'actor-1', socketId: socket.id, data: new Uint8Array([1, 2]), binary: true, index: 2 });
  ws.send('out');
  ws.send(new Uint8Array([7, 8]).subarray(1));
  assert.throws(() => ws.send('x'.repeat(20 * MIB + 1)), /too large/);
  runner.sendHibernatableWebSocketMessageAck(socket.gatewayId, socket.requestId, 2);
  assert.throws(() => runner.sendHibernatableWebSocketMessageAck(socket.gatewayId, socket.requestId, 65536), { message: 'Invalid websocket ack index' });
  runner.sendHibernatableWebSocketMessageAck(new ArrayBuffer(4), new ArrayBuffer(4), 1); // unknown: ignored
  ws.close(4001, 'bye');
  assert.deepEqual(events[0], ['open', 1]);
  assert.deepEqual(events[1], ['message', 'hi', 1, '09090909']);
  assert.ok(Buffer.isBuffer(events[2][1]));
  assert.deepEqual([...events[2][1]], [1, 2]);
  assert.equal(events[2][2], 2);
  assert.deepEqual(events[3], ['close', 4001, 'bye']);
  assert.deepEqual(socket.sent[0], 'out');
  assert.deepEqual([...socket.sent[1]], [8]);
  assert.deepEqual(socket.acks, [2]);
  assert.deepEqual(socket.closes, [[4001, 'bye']]);
  assert.equal(runner.getActor('actor-1').webSockets.length, 0);

  // A close from the client: the close event, nothing sent back.
  const second = new FakeSocket([1, 2, 3, 4], [8, 8, 8, 8]);
  wsOpen(native, second, { token: 21 });
  await native.next('decideOpen');
  native.emit({ type: 'wsClose', actorId: 'actor-1', socketId: second.id, code: 4002, reason: 'client' });
  assert.deepEqual(events.at(-1), ['close', 4002, 'client']);
  assert.deepEqual(second.closes, []);
});

test('websocket refusals: a throw, a close inside the callback, an unknown actor, canHibernate throwing', async () => {
  let mode;
  const { native } = await setup({
    hibernatableWebSocket: { canHibernate: () => { if (mode === 'canHibernate') throw new Error('nope'); return false; } },
    async websocket(runner, actorId, ws) {
      if (mode === 'throw') throw new Error('refused');
      if (mode === 'close') ws.close(4003, 'not here');
    },
  });
  const cases = [['throw', [false, false, 1011, 'Server Error']], ['close', [false, false, 4003, 'not here']], ['canHibernate', [false, false, 1011, 'Server Error']]];
  let n = 30;
  for (const [m, expected] of cases) {
    mode = m;
    const socket = new FakeSocket([1, 1, 1, 1], [n, 0, 0, 0]);
    wsOpen(native, socket, { token: n });
    assert.deepEqual((await native.next('decideOpen')).slice(1), [n, ...expected], m);
    assert.deepEqual(socket.closes, [], m);
    n++;
  }
  wsOpen(native, new FakeSocket([1, 1, 1, 1], [99, 0, 0, 0]), { token: 40, actorId: 'nobody' });
  assert.deepEqual((await native.next('decideOpen')).slice(1), [40, false, false, 1011, 'Actor not found']);
});

test('actor stop closes plain sockets (1000 actor.stopped, nothing sent) and drops hibernatable ones silently', async () => {
  const closes = [];
  const sockets = {};
  const { runner, native } = await setup({
    hibernatableWebSocket: { canHibernate: (a, g, r, request) => request.url.endsWith('/hws') },
    async websocket(runner, actorId, ws, g, r, request) {
      sockets[new URL(request.url).pathname] = ws;
      ws.addEventListener('close', (e) => closes.push([new URL(request.url).pathname, e.code, e.reason]));
    },
  });
  const plain = new FakeSocket([1, 1, 1, 1], [1, 0, 0, 0]);
  const hibernatable = new FakeSocket([1, 1, 1, 1], [2, 0, 0, 0]);
  wsOpen(native, plain, { token: 50, path: '/ws' });
  wsOpen(native, hibernatable, { token: 51, path: '/hws' });
  await native.next('decideOpen');
  await native.next('decideOpen');
  const actor = runner.getActor('actor-1');
  assert.equal(actor.webSockets.length, 2);
  native.emit({ type: 'actorStop', token: 52, actorId: 'actor-1', generation: 0 });
  await native.next('finishStop');
  assert.deepEqual(closes, [['/ws', 1000, 'actor.stopped']]);
  assert.deepEqual(plain.closes, []);
  assert.deepEqual(hibernatable.closes, []);
  assert.equal(actor.webSockets.length, 0);
  // The hibernated socket's object stays OPEN for code that holds it, but no longer reaches the engine.
  assert.equal(sockets['/hws'].readyState, 1);
  sockets['/hws'].send('late');
  sockets['/hws'].close(1000, 'late');
  assert.deepEqual([hibernatable.sent, hibernatable.closes], [[], []]);
});

test('restoreHibernatingRequests: restored, stale and failing entries; only once per start', async () => {
  const g = [7, 7, 7, 7];
  const known = { gatewayId: new Uint8Array(g).buffer, requestId: new Uint8Array([1, 0, 0, 0]).buffer };
  const failing = { gatewayId: new Uint8Array(g).buffer, requestId: new Uint8Array([2, 0, 0, 0]).buffer };
  const log = [];
  let runnerRef;
  const { runner, native } = await setup({
    async websocket(runner, actorId, ws, gatewayId, requestId, request, path, headers, hibernatable, restoring) {
      const id = idToStr(requestId);
      log.push(['websocket', id, ws.readyState, hibernatable, restoring, path, headers.a]);
      ws.addEventListener('open', () => log.push(['open', id]));
      ws.addEventListener('close', (e) => log.push(['close', id, e.code, e.reason]));
      if (id === '02000000') throw new Error('cannot restore');
    },
  }, { hibernating: [known, failing] });
  runnerRef = runner;
  const sockets = new Map([[idToStr(known.requestId), new FakeSocket(g, [1, 0, 0, 0])], [idToStr(failing.requestId), new FakeSocket(g, [2, 0, 0, 0])]]);
  native.restoreResult = (actorId, stored) => stored.map((s) => sockets.get(idToStr(s.requestId)) ?? null);
  const meta = (requestId, path) => ({ gatewayId: new Uint8Array(g).buffer, requestId, clientMessageIndex: 3, serverMessageIndex: 4, path, headers: { a: 'b' } });
  await runnerRef.restoreHibernatingRequests('actor-1', [
    meta(known.requestId, '/one'),
    meta(failing.requestId, '/two'),
    meta(new Uint8Array([3, 0, 0, 0]).buffer, '/stale'),
  ]);
  const [, actorId, stored] = await native.next('restore');
  assert.equal(actorId, 'actor-1');
  assert.deepEqual(stored.map((s) => [idToStr(s.requestId), s.clientMessageIndex, s.serverMessageIndex, s.path, s.headers]),
    [['01000000', 3, 4, '/one', [['a', 'b']]], ['02000000', 3, 4, '/two', [['a', 'b']]]]);
  assert.deepEqual(log.filter((e) => e[0] === 'websocket').sort(), [
    ['websocket', '01000000', 1, true, true, '/one', 'b'],
    ['websocket', '02000000', 1, true, true, '/two', 'b'],
    ['websocket', '03000000', 1, true, true, '/stale', 'b'],
  ]);
  assert.equal(log.some((e) => e[0] === 'open'), false, 'no open event on restore');
  assert.ok(log.some((e) => e[0] === 'close' && e[1] === '03000000' && e[2] === 1000 && e[3] === 'ws.stale_metadata'));
  assert.ok(log.some((e) => e[0] === 'close' && e[1] === '02000000' && e[2] === 1011 && e[3] === 'ws.restore_error'));
  assert.deepEqual(sockets.get('02000000').closes, [[1011, 'ws.restore_error']]);
  assert.deepEqual(sockets.get('01000000').closes, []);
  const actor = runner.getActor('actor-1');
  assert.equal(actor.hibernationRestored, true);
  assert.equal(actor.webSockets.length, 1);
  // The restored socket gets messages with their index.
  native.emit({ type: 'wsMessage', actorId: 'actor-1', socketId: sockets.get('01000000').id, data: 'm', binary: false, index: 5 });
  await assert.rejects(runner.restoreHibernatingRequests('actor-1', []), /already restored/);
  await assert.rejects(runner.restoreHibernatingRequests('nobody', []), /not found/);
});

test('actor operations go to the native runner; generation mismatches are ignored', async () => {
  const { runner, native } = await setup();
  runner.sleepActor('actor-1');
  runner.sleepActor('actor-1', 5);
  runner.setAlarm('actor-1', 1234);
  runner.clearAlarm('actor-1');
  runner.destroyActor('actor-1');
  await runner.stopActor('actor-1');
  assert.deepEqual(native.calls.filter((c) => ['sleepActor', 'setAlarm', 'destroyActor', 'stopActor'].includes(c[0])).map((c) => c.slice()),
    [['sleepActor', 'actor-1'], ['setAlarm', 'actor-1', 1234], ['setAlarm', 'actor-1', null], ['destroyActor', 'actor-1'], ['stopActor', 'actor-1']]);
  assert.equal(runner.getActor('actor-1').stopIntentSent, true);
  const forced = runner.forceStopActor('actor-1');
  native.emit({ type: 'actorStop', token: 3, actorId: 'actor-1', generation: 0 });
  await forced;
  assert.equal(runner.hasActor('actor-1'), false);
});

test('KV: shapes and argument checks', async () => {
  const { runner, native } = await setup();
  await runner.kvPut('actor-1', [[new Uint8Array([1]), new Uint8Array([10])], [Buffer.from('b'), Buffer.from('v')]]);
  assert.deepEqual((await runner.kvGet('actor-1', [new Uint8Array([1]), new Uint8Array([2])])).map((v) => v && [...v]), [[10], null]);
  await runner.kvListRange('actor-1', new Uint8Array([1]), new Uint8Array([2]), true, { reverse: true, limit: 3 });
  await runner.kvListPrefix('actor-1', new Uint8Array([1]));
  await runner.kvListAll('actor-1', { limit: 0 });
  const lists = native.all('kvList').map((c) => [c[2], c[3], c[4]]);
  assert.deepEqual(lists[0], [{ start: new Uint8Array([1]), end: new Uint8Array([2]), exclusive: true }, true, 3]);
  assert.deepEqual(lists[1], [{ prefix: new Uint8Array([1]) }, false, null]);
  assert.deepEqual(lists[2], [{ all: true }, false, 0]);
  await assert.rejects(runner.kvGet('actor-1', 'nope'), TypeError);
  await assert.rejects(runner.kvListAll('actor-1', { limit: -1 }), /limit/);
  await assert.rejects(runner.kvPut('actor-1', [[new Uint8Array(1)]]), TypeError);
});

test('shutdown(false) drains and resolves after onShutdown; pending KV rejects; later calls fail with RunnerShutdownError', async () => {
  const order = [];
  const { runner, native } = await setup({ onShutdown: () => order.push('onShutdown') });
  native.kvHold = true;
  const pendingKv = runner.kvGet('actor-1', [new Uint8Array([1])]);
  const done = runner.shutdown(false).then(() => order.push('resolved'));
  await native.next('drain');
  await runner.shutdown(false); // a second call returns at once
  assert.deepEqual(order, []);
  native.emit({ type: 'stopped', error: null });
  await done;
  assert.deepEqual(order, ['onShutdown', 'resolved']);
  await assert.rejects(pendingKv, { message: 'WebSocket connection closed during shutdown' });
  await assert.rejects(runner.kvGet('actor-1', []), RunnerShutdownError);
  await assert.rejects(runner.restoreHibernatingRequests('actor-1', []), RunnerShutdownError);
  assert.throws(() => runner.sendHibernatableWebSocketMessageAck(new ArrayBuffer(4), new ArrayBuffer(4), 1), RunnerShutdownError);
  await assert.rejects(runner.start(), /twice/);
});

test('shutdown(true) closes; an immediate shutdown cuts a drain short; shutdown before start just ends', async () => {
  const { runner, native } = await setup({}, { actorId: null });
  const done = runner.shutdown(true);
  await native.next('close');
  native.emit({ type: 'stopped', error: null });
  await done;

  const second = await setup({}, { actorId: null });
  const drained = second.runner.shutdown(false);
  await second.native.next('drain');
  await second.runner.shutdown(true);
  await second.native.next('close');
  second.native.emit({ type: 'stopped', error: null });
  await drained;

  let shut = 0;
  const unstarted = new Runner(baseConfig({ onShutdown: () => shut++ }));
  await unstarted.shutdown(true);
  assert.equal(shut, 1);
  await assert.rejects(unstarted.start(), RunnerShutdownError);
});

test('a fatal stop calls onShutdown; sockets get ws.tunnel_shutdown', async () => {
  const closes = [];
  let shut = 0;
  const errors = [];
  const { runner, native } = await setup({
    onShutdown: () => shut++,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: (r) => errors.push(r) },
    async websocket(runner, actorId, ws) {
      ws.addEventListener('close', (e) => closes.push([e.code, e.reason]));
    },
  });
  const socket = new FakeSocket([1, 1, 1, 1], [1, 1, 1, 1]);
  wsOpen(native, socket, { token: 60 });
  await native.next('decideOpen');
  native.emit({ type: 'stopped', error: 'evicted' });
  assert.equal(shut, 1);
  assert.deepEqual(closes, [[1000, 'ws.tunnel_shutdown']]);
  assert.deepEqual(socket.closes, []);
  assert.ok(errors.some((r) => r.error === 'evicted'));
  await runner.shutdown(false); // returns at once
  assert.equal(shut, 1);
});

test('native log events go to the logger; callbacks that throw never reach the native caller', async () => {
  const records = [];
  const logger = { level: 'info', trace() {}, debug() {}, info: (r) => records.push(['info', r]), warn: (r) => records.push(['warn', r]), error: (r) => records.push(['error', r]) };
  const { native } = await setup({ logger, onDisconnected() { throw new Error('callback bug'); } }, { actorId: null });
  native.emit({ type: 'log', level: 'warn', msg: 'native says', fields: { a: '1' } });
  assert.deepEqual(records.find((r) => r[1].msg === 'native says'), ['warn', { a: '1', msg: 'native says' }]);
  assert.doesNotThrow(() => native.emit({ type: 'disconnected', code: 1000, reason: '' }));
  assert.ok(records.some((r) => r[0] === 'error' && /callback bug/.test(r[1].error)));
  assert.doesNotThrow(() => native.emit({ type: 'fetch' })); // malformed: logged, not thrown
});
