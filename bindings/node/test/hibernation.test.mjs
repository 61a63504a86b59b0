// Hibernatable WebSockets against a real rivet-engine, driven the way rivetkit drives them: the
// socket's metadata is persisted in the actor's KV when it opens, each message's index is
// persisted and only then acknowledged, the close listener removes the record, and onActorStart
// restores the records with restoreHibernatingRequests. The client's socket outlives the actor's
// sleep, its next message wakes the actor, unacknowledged messages come again, stale records are
// closed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import {
  EventLog, createActor, createNamespace, gatewayFetch, openSocket, pkg, runnerConfig, startEngine, startRunner, tetherOnly, waitFor,
} from './support/harness.mjs';

const RUNNER_NAME = 'hws-runner';
const PREFIX = Buffer.from('hws/');
let engine;
let namespace;
let log;
let runner;

const hex = (id) => pkg.idToStr(id);
const fromHex = (text) => new Uint8Array(Buffer.from(text, 'hex')).buffer;
const recordKey = (gatewayId, requestId) => Buffer.concat([PREFIX, Buffer.from(hex(gatewayId) + hex(requestId))]);

/** The rivetkit-style host: persisted socket records, persist-then-ack, restore at start. */
function hibernatingApp() {
  const restored = new Map(); // actorId -> sockets restored by the running restoreHibernatingRequests
  return {
    hibernatableWebSocket: { canHibernate: (actorId, gatewayId, requestId, request) => new URL(request.url).pathname.startsWith('/hws') },
    async onActorStart(actorId, generation, config) {
      log.record('start', { actorId, generation, config });
      const records = await runner.kvListPrefix(actorId, PREFIX);
      const metaEntries = records.map(([, value]) => {
        const record = JSON.parse(Buffer.from(value).toString());
        return { ...record, gatewayId: fromHex(record.gatewayId), requestId: fromHex(record.requestId) };
      });
      log.record('restoring', { actorId, generation, count: metaEntries.length, engineHolds: runner.getActor(actorId).hibernatingRequests.length });
      restored.set(actorId, []);
      await runner.restoreHibernatingRequests(actorId, metaEntries);
      // Greets each restored socket once the restore finished (a stale one is closed by then).
      for (const ws of restored.get(actorId)) if (ws.readyState === 1) ws.send('restored');
    },
    async websocket(r, actorId, ws, gatewayId, requestId, request, path, headers, isHibernatable, isRestoring) {
      const generation = r.getActor(actorId).generation;
      const key = recordKey(gatewayId, requestId);
      log.record('websocket', { actorId, generation, path, isHibernatable, isRestoring, requestId: hex(requestId) });
      const record = { gatewayId: hex(gatewayId), requestId: hex(requestId), clientMessageIndex: 0, serverMessageIndex: 0, path, headers };
      if (isRestoring) {
        const [stored] = await r.kvGet(actorId, [key]);
        if (stored) Object.assign(record, JSON.parse(Buffer.from(stored).toString()), { gatewayId: hex(gatewayId), requestId: hex(requestId) });
      } else {
        // Requirement 1: persist at once, before the socket opens.
        await r.kvPut(actorId, [[key, Buffer.from(JSON.stringify(record))]]);
      }
      ws.addEventListener('message', async (event) => {
        const text = String(event.data);
        log.record('message', { actorId, generation, text, index: event.rivetMessageIndex });
        if (text.startsWith('noack:')) {
          ws.send(`g${generation}:${text}`);
          return;
        }
        // Requirement 2: persist the index, then acknowledge, then answer.
        record.serverMessageIndex = event.rivetMessageIndex;
        await r.kvPut(actorId, [[key, Buffer.from(JSON.stringify(record))]]);
        r.sendHibernatableWebSocketMessageAck(gatewayId, requestId, event.rivetMessageIndex);
        ws.send(`g${generation}:${text}`);
      });
      ws.addEventListener('close', async (event) => {
        log.record('ws-close', { actorId, generation, requestId: hex(requestId), code: event.code, reason: event.reason });
        // Requirement 3: forget the socket.
        await r.kvDelete(actorId, [key]).catch(() => {});
        log.record('record-removed', { actorId, requestId: hex(requestId) });
      });
      if (isRestoring) restored.get(actorId).push(ws);
    },
  };
}

before(async () => {
  engine = await startEngine();
  namespace = await createNamespace(engine, RUNNER_NAME);
  log = new EventLog();
  runner = await startRunner(runnerConfig({ engine, namespace, runnerName: RUNNER_NAME, log, overrides: hibernatingApp() }), log);
});

after(async () => {
  await runner?.shutdown(true);
  await engine?.stop();
});

test('a hibernatable socket survives a sleep, wakes the actor, and unacknowledged messages come again', { timeout: 180_000 }, async () => {
  const actorId = await createActor(engine, namespace, { name: 'app', runnerName: RUNNER_NAME });
  await log.waitFor('start', { actorId, generation: 0 });
  const client = await openSocket(engine, actorId, '/hws/room?x=1');
  const opened = await log.waitFor('websocket', { actorId, generation: 0 });
  assert.equal(opened.isHibernatable, true);
  assert.equal(opened.isRestoring, false);
  assert.equal(await client.ask('a'), 'g0:a');
  assert.equal(await client.ask('b'), 'g0:b');
  assert.equal(await client.ask('noack:c'), 'g0:noack:c');

  // A record of a socket the engine no longer holds (e.g. closed while the runner was gone).
  const staleGateway = new Uint8Array([9, 9, 9, 9]).buffer;
  const staleRequest = new Uint8Array([8, 8, 8, 8]).buffer;
  await runner.kvPut(actorId, [[recordKey(staleGateway, staleRequest), Buffer.from(JSON.stringify({
    gatewayId: hex(staleGateway), requestId: hex(staleRequest), clientMessageIndex: 0, serverMessageIndex: 3, path: '/hws/old', headers: {},
  }))]]);

  assert.equal((await gatewayFetch(engine, actorId, '/sleep')).status, 200);
  await log.waitFor('stop', { actorId, generation: 0 });
  assert.equal(log.count('ws-close', { actorId, requestId: opened.requestId }), 0, 'no close event for a socket that only hibernated');

  // The client's next messages wake the actor (or the engine already woke it to deliver the
  // unacknowledged message again: it may do either).
  client.send('d');
  client.send('e');
  assert.equal(await client.next(), 'restored');
  assert.equal(await client.next(), 'g1:noack:c', 'the unacknowledged message is delivered again');
  assert.equal(await client.next(), 'g1:d');
  assert.equal(await client.next(), 'g1:e');
  const restoring = log.find('restoring', { actorId, generation: 1 });
  assert.deepEqual([restoring.count, restoring.engineHolds], [2, 1]);
  const restored = log.find('websocket', { actorId, generation: 1, requestId: opened.requestId });
  assert.deepEqual([restored.isHibernatable, restored.isRestoring, restored.path], [true, true, '/hws/room?x=1']);
  assert.ok(runner.getActor(actorId).hibernationRestored);

  // The stale record got a socket whose close listener removed it.
  const stale = await log.waitFor('ws-close', { actorId, requestId: hex(staleRequest) });
  assert.deepEqual([stale.code, stale.reason], [1000, 'ws.stale_metadata']);
  await log.waitFor('record-removed', { actorId, requestId: hex(staleRequest) });
  assert.deepEqual((await runner.kvListPrefix(actorId, PREFIX)).length, 1);
  assert.equal(log.count('message', { actorId, text: 'a' }), 1, 'acknowledged messages are not delivered again');

  // It keeps working, and a client close is the socket's end.
  assert.equal(await client.ask('f'), 'g1:f');
  client.close(4005, 'done');
  const closed = await log.waitFor('ws-close', { actorId, requestId: opened.requestId });
  assert.equal(closed.code, 4005);
  await log.waitFor('record-removed', { actorId, requestId: opened.requestId });
  assert.deepEqual(await runner.kvListPrefix(actorId, PREFIX), []);
});

test('several sleeps on the same socket, and a socket closed while awake does not come back', { timeout: 180_000 }, async () => {
  const actorId = await createActor(engine, namespace, { name: 'app', runnerName: RUNNER_NAME });
  await log.waitFor('start', { actorId, generation: 0 });
  const client = await openSocket(engine, actorId, '/hws');
  // A message that wakes the actor: the restored socket's greeting, then the answer. (The official
  // runner sends the greeting with the persisted clientMessageIndex, 0 as rivetkit persists it,
  // and the gateway drops it here; ours must deliver it.)
  const wake = async (text, generation) => {
    client.send(text);
    const first = await client.next();
    if (first !== 'restored' && tetherOnly) assert.equal(first, `g${generation}:${text}`);
    else assert.deepEqual([first, await client.next()], ['restored', `g${generation}:${text}`]);
  };
  for (let generation = 0; generation < 3; generation++) {
    if (generation > 0) await wake('wake', generation);
    assert.equal(await client.ask('hello'), `g${generation}:hello`);
    runner.sleepActor(actorId);
    await log.waitFor('stop', { actorId, generation });
    await waitFor(() => engine.actorIsAsleep(namespace, actorId), { what: 'the engine sees the actor asleep' });
  }
  await wake('still there', 3);
  client.close(4006, 'bye');
  await log.waitFor('record-removed', { actorId });
  runner.sleepActor(actorId);
  await log.waitFor('stop', { actorId, generation: 3 });
  await gatewayFetch(engine, actorId, '/info');
  const restoring = await log.waitFor('restoring', { actorId, generation: 4 });
  assert.equal(restoring.count, 0, 'its record is gone');
  assert.equal(log.count('websocket', { actorId, generation: 4 }), 0, 'the closed socket does not come back');
});
