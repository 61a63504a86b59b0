// A Node process that hosts one Runner and ends by itself: for shutdown.test.mjs, which checks
// that nothing (thread, handle, timer) keeps Node alive after the runner stopped. Prints one line
// per step; the parent times the exit from "shutdown-resolved".
//   node child-runner.mjs <mode> <engine endpoint> <namespace> <runnerName>
//   mode: drain | immediate (start, connect, host one actor, shutdown) | never-started
import { pkg } from './harness.mjs';

const [mode, endpoint, namespace, runnerName] = process.argv.slice(2);
const say = (line) => process.stdout.write(`${line}\n`);
let started;
const actorStarted = new Promise((resolve) => (started = resolve));
let connected;
const isConnected = new Promise((resolve) => (connected = resolve));

const runner = new pkg.Runner({
  version: 1,
  endpoint,
  namespace,
  runnerName,
  totalSlots: 5,
  prepopulateActorNames: { app: { metadata: {} } },
  noAutoShutdown: true,
  onConnected: () => connected(),
  onDisconnected() {},
  onShutdown: () => say('on-shutdown'),
  async onActorStart(actorId) {
    started(actorId);
  },
  async onActorStop() {},
  async fetch() {
    return new Response('ok');
  },
  async websocket() {},
  hibernatableWebSocket: { canHibernate: () => false },
});

if (mode === 'never-started') {
  say('constructed');
} else {
  await runner.start();
  await isConnected;
  say('connected');
  const response = await fetch(`${endpoint}/actors?namespace=${encodeURIComponent(namespace)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'app', runner_name_selector: runnerName, crash_policy: 'sleep' }),
  });
  if (!response.ok) throw new Error(`create actor: ${response.status} ${await response.text()}`);
  const actorId = await actorStarted;
  say(`actor-started ${actorId}`);
  await runner.shutdown(mode === 'immediate');
  say('shutdown-resolved');
}
