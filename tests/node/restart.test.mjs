// A RivetKit connection outlives its runner process: the app is SIGKILLed while a client holds a
// hibernatable connection to an actor, a new app process (same pool) starts, and the client's
// next call reaches the actor on it — same connection, its state restored from the actor's KV by
// RivetKit through restoreHibernatingRequests, nothing seen closing. The engine declares the
// killed runner lost after its runner-lost threshold, shortened here to 5 s.
import "./lib/quiet.mjs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AppProcess, runnerChoice } from "./lib/app.mjs";
import { startEngine } from "./lib/engine.mjs";
import { startRunnerStack } from "./lib/stack.mjs";
import { uniqueSuffix, waitFor } from "./lib/util.mjs";

const runner = runnerChoice();

describe(`a hibernatable connection across a runner restart, runner: ${runner.label}`, () => {
  let engine;
  let stack;
  let replacement;

  before(async () => {
    engine = await startEngine({ extraConfig: { pegboard: { runner_lost_threshold: 5000 } } });
    stack = await startRunnerStack(engine, runner, { name: "restart" });
  });

  after(async () => {
    await replacement?.stop();
    replacement?.cleanup();
    await stack?.stop();
    await engine?.stop();
  });

  test("the connection continues on the new runner process", { timeout: 120_000 }, async () => {
    const handle = stack.client.hibernating.getOrCreate([`restart-${uniqueSuffix()}`]);
    const conn = handle.connect();
    try {
      let closes = 0;
      conn.onClose(() => (closes += 1));
      assert.deepEqual([await conn.call(), await conn.call()], [1, 2]);
      const connectionId = conn.connectionId;
      assert.ok(connectionId);

      await stack.app.stop(); // SIGKILL: no drain, no goodbye to the engine
      replacement = new AppProcess({ script: "serve.mjs", name: "restart-2", runner, env: stack.app.env }).start();
      await waitFor(async () => (await engine.runners(stack.namespace, stack.runnerName)).length > 0, {
        timeoutMs: 60_000, intervalMs: 200, what: "the new runner process to connect",
      });

      assert.equal(await conn.call(), 3, "the connection's state came back with the actor");
      assert.equal(conn.connectionId, connectionId, "the same connection, not a new one");
      assert.equal(closes, 0, "the client saw no close");
      replacement.assertRunnerLoaded();
    } finally {
      await conn.dispose();
    }
  });
});
