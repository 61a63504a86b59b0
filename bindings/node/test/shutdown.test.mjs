// Stopping runners against a real rivet-engine: a drain (shutdown(false)) stops the actors through
// onActorStop before onShutdown, shutdown(true), what works after the stop, and that a Node process
// ends by itself once its runner stopped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  EventLog, createActor, createNamespace, openSocket, pkg, readKvThroughEngine, runnerConfig, startEngine, startRunner, tetherOnly,
  uniqueSuffix, waitFor,
} from './support/harness.mjs';

const CHILD = fileURLToPath(new URL('./support/child-runner.mjs', import.meta.url));
/** How long a process may take to end after its runner's shutdown resolved. */
const EXIT_WITHIN_MS = 5_000;
let engine;
let namespace;

before(async () => {
  engine = await startEngine();
  namespace = await createNamespace(engine, 'unused');
});

after(async () => {
  await engine?.stop();
});

/** A started runner of its own runner name, with `log`; `overrides` for its config. */
async function newRunner(log, overrides = {}) {
  const runnerName = `r-${uniqueSuffix()}`;
  await engine.upsertNormalRunnerConfig(namespace, runnerName);
  const runner = await startRunner(runnerConfig({ engine, namespace, runnerName, log, overrides }), log);
  return { runner, runnerName };
}

test('shutdown(false) drains: onActorStop (with KV) before onShutdown, then the promise resolves', { timeout: 180_000 }, async () => {
  const log = new EventLog();
  let runner;
  ({ runner } = await newRunner(log, {
    async onActorStop(actorId, generation) {
      await runner.kvPut(actorId, [[Buffer.from('stopped'), Buffer.from(`gen${generation}`)]]);
      log.record('stop', { actorId, generation });
    },
  }));
  const runnerName = runner.config.runnerName;
  const actorId = await createActor(engine, namespace, { name: 'app', runnerName });
  await log.waitFor('start', { actorId });
  const client = await openSocket(engine, actorId, '/echo');
  assert.equal(await client.ask('x'), 'x');

  let resolved = false;
  const done = runner.shutdown(false).then(() => (resolved = true));
  const second = runner.shutdown(false);
  assert.equal(await Promise.race([second.then(() => 'returned'), done.then(() => 'drain finished first')]), 'returned', 'a second call returns at once');
  await done;
  const kinds = log.events.map((e) => e.kind);
  assert.ok(kinds.indexOf('stop') !== -1 && kinds.indexOf('stop') < kinds.indexOf('shutdown'), kinds.join(','));
  assert.equal(log.count('shutdown'), 1);
  assert.ok(resolved);
  const serverClose = await log.waitFor('ws-close', { actorId });
  assert.equal(serverClose.code, 1000);
  await client.closed();
  assert.equal(Buffer.from(await readKvThroughEngine(engine, namespace, actorId, 'stopped')).toString(), 'gen0');
  await waitFor(async () => (await engine.getActor(namespace, actorId)).connectable_ts == null, { what: 'the engine no longer routes to the actor' });
});

test('shutdown(true) ends at once: onShutdown without onActorStop, as the official runner', { timeout: 120_000 }, async () => {
  const log = new EventLog();
  const { runner, runnerName } = await newRunner(log);
  const actorId = await createActor(engine, namespace, { name: 'app', runnerName });
  await log.waitFor('start', { actorId });
  const client = await openSocket(engine, actorId, '/echo');
  assert.equal(await client.ask('y'), 'y');
  await runner.shutdown(true);
  assert.equal(log.count('shutdown'), 1);
  const kinds = log.events.map((e) => e.kind);
  assert.ok(!kinds.includes('stop'), `no onActorStop: ${kinds.join(',')}`);
  assert.ok(log.find('ws-close', { actorId }), 'the server side saw its socket close');
  // (The client's end closes when the engine notices the runner is gone, after its ping timeout.)
  client.close();
});

test('after the stop: KV, restore and acks fail with RunnerShutdownError; start rejects', { skip: tetherOnly, timeout: 120_000 }, async () => {
  const log = new EventLog();
  const { runner, runnerName } = await newRunner(log);
  const actorId = await createActor(engine, namespace, { name: 'app', runnerName });
  await log.waitFor('start', { actorId });
  await runner.shutdown(true);
  await assert.rejects(runner.kvGet(actorId, [Buffer.from('k')]), pkg.RunnerShutdownError);
  await assert.rejects(runner.kvPut(actorId, [[Buffer.from('k'), Buffer.from('v')]]), pkg.RunnerShutdownError);
  await assert.rejects(runner.kvListAll(actorId), { message: 'Runner shut down' });
  await assert.rejects(runner.restoreHibernatingRequests(actorId, []), pkg.RunnerShutdownError);
  assert.throws(() => runner.sendHibernatableWebSocketMessageAck(new ArrayBuffer(4), new ArrayBuffer(4), 0), pkg.RunnerShutdownError);
  await assert.rejects(runner.start(), /twice/);
  await runner.shutdown(true); // returns at once
  assert.equal(log.count('shutdown'), 1);
});

/** Runs child-runner.mjs; resolves with its output lines, exit code and the ms from `fromLine` to its exit. */
function runChild(mode, runnerName) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, mode, engine.endpoint, namespace, runnerName], {
      env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = [];
    const times = {};
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        lines.push(line);
        times[line.split(' ')[0]] = Date.now();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, lines, stderr, exitedAt: Date.now(), times });
    });
  });
}

for (const mode of ['drain', 'immediate']) {
  test(`a process ends by itself after shutdown(${mode === 'immediate'})`, { timeout: 180_000 }, async () => {
    const runnerName = `child-${mode}-${uniqueSuffix()}`;
    await engine.upsertNormalRunnerConfig(namespace, runnerName);
    const result = await runChild(mode, runnerName);
    assert.equal(result.code, 0, `exit ${result.code} ${result.signal}\n${result.lines.join('\n')}\n${result.stderr}`);
    assert.deepEqual(result.lines.map((l) => l.split(' ')[0]), ['connected', 'actor-started', 'on-shutdown', 'shutdown-resolved']);
    const lingered = result.exitedAt - result.times['shutdown-resolved'];
    assert.ok(lingered < EXIT_WITHIN_MS, `the process lingered ${lingered} ms after the shutdown`);
  });
}

test('a process whose Runner was never started ends at once', { skip: tetherOnly, timeout: 60_000 }, async () => {
  const started = Date.now();
  const result = await runChild('never-started', 'none');
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.lines, ['constructed']);
  assert.ok(Date.now() - started < 10_000);
});
