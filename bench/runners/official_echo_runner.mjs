// The benchmark's echo actor ("echo") hosted by the official TypeScript runner,
// @rivetkit/engine-runner 2.2.1. Behaviour matches bench/runners/tether_echo_runner.cc exactly:
// HTTP answers 200 with the request body, and every WebSocket is accepted (not hibernatable) and
// each message is sent back as it came.
//
// Configured by the same RIVET_* variables as the tether runner. When the engine's ToClientInit
// arrives (onConnected) it prints "init <CLOCK_MONOTONIC ns>" on stdout; Node's hrtime is
// CLOCK_MONOTONIC on Linux, the clock the driver and the tether runner use.
import { Runner } from "@rivetkit/engine-runner";

const env = process.env;
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
