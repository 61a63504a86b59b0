// The benchmark's echo actor ("echo") as a JavaScript app, the same code for every JavaScript
// runner: the official TypeScript runner, @rivetkit/engine-runner 2.2.1, and its drop-in on
// tether's native runner, @tether/engine-runner (bindings/node). Behaviour matches
// bench/runners/tether_echo_runner.cc exactly: HTTP answers 200 with the request body, and every
// WebSocket is accepted (not hibernatable) and each message is sent back as it came.
//
// RUNNER_PACKAGE names the package whose `Runner` is used: a package name (default
// "@rivetkit/engine-runner") or the absolute directory of a package (the driver passes
// <source>/bindings/node, with TETHER_NODE_ADDON naming the built .node).
//
// Configured by the same RIVET_* variables as the tether runner. When the engine's ToClientInit
// arrives (onConnected) it prints "init <CLOCK_MONOTONIC ns>" on stdout; Node's hrtime is
// CLOCK_MONOTONIC on Linux, the clock the driver and the tether runner use.
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";

// ESM cannot import a directory: an absolute package directory is imported through the entry its
// package.json gives `import` (its "exports" for ".", else "module" or "main").
function entryOf(packageDir) {
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  let entry = manifest.exports?.["."] ?? manifest.exports;
  while (entry !== null && typeof entry === "object") entry = entry.import ?? entry.default;
  entry ??= manifest.module ?? manifest.main ?? "index.js";
  return pathToFileURL(join(packageDir, entry)).href;
}

const env = process.env;
const runnerPackage = env.RUNNER_PACKAGE || "@rivetkit/engine-runner";
const { Runner } = await import(isAbsolute(runnerPackage) ? entryOf(runnerPackage) : runnerPackage);
let reportedInit = false;

const runner = new Runner({
  version: Number(env.RIVET_RUNNER_VERSION ?? 1),
  endpoint: env.RIVET_ENDPOINT ?? "http://127.0.0.1:6420",
  namespace: env.RIVET_NAMESPACE ?? "default",
  runnerName: env.RIVET_POOL ?? "default",
  totalSlots: Number(env.RIVET_TOTAL_SLOTS ?? 1000),
  prepopulateActorNames: {},
  // No logger: the runner then logs nothing, as the tether runner at its default level.
  noAutoShutdown: true,
  onConnected() {
    if (reportedInit) return;
    reportedInit = true;
    process.stdout.write(`init ${process.hrtime.bigint()}\n`);
  },
  onDisconnected() {},
  onShutdown() {},
  async onActorStart() {},
  async onActorStop() {},
  async fetch(_runner, _actorId, _gatewayId, _requestId, request) {
    return new Response(await request.arrayBuffer(), { status: 200 });
  },
  async websocket(_runner, _actorId, ws) {
    // Listeners must be added synchronously (see the RunnerConfig docs).
    ws.addEventListener("message", (event) => ws.send(event.data));
  },
  hibernatableWebSocket: { canHibernate: () => false },
});

// The driver stops runners with SIGTERM (then SIGKILL); nothing needs draining in a benchmark.
process.on("SIGTERM", () => process.exit(0));
runner.start();
