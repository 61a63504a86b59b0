// examples/rivetkit-node, as its README runs it: server.mjs hosts the counter, client.mjs calls it
// with rivetkit's client. Its files are copied next to tests/node's rivetkit (the example itself
// installs its own), and the runner is chosen by the seam as in the other tests.
import "./lib/quiet.mjs";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { AppProcess, runnerChoice } from "./lib/app.mjs";
import { startEngine } from "./lib/engine.mjs";
import { NODE_DIR, uniqueSuffix } from "./lib/util.mjs";

const runner = runnerChoice();
const EXAMPLE_DIR = join(NODE_DIR, "../../examples/rivetkit-node");

describe(`examples/rivetkit-node, runner: ${runner.label}`, () => {
  let engine;
  let server;
  let dir;
  let env;

  before(async () => {
    engine = await startEngine();
    const namespace = `example-${uniqueSuffix()}`;
    await engine.createNamespace(namespace);
    dir = mkdtempSync(join(NODE_DIR, ".example-"));
    for (const file of readdirSync(EXAMPLE_DIR).filter((f) => f.endsWith(".mjs"))) {
      cpSync(join(EXAMPLE_DIR, file), join(dir, file));
    }
    env = { RIVET_ENDPOINT: engine.endpoint, RIVET_NAMESPACE: namespace, RIVET_RUNNER: "counter-pool" };
    server = new AppProcess({ script: "server.mjs", scriptDir: dir, env, runner, name: "example" }).start();
    await server.waitForLog(/counter runner started/);
  });

  after(async () => {
    await server?.stop();
    await engine?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the client's calls and events reach the counter", { timeout: 60_000 }, async () => {
    const output = await new Promise((resolve, reject) => {
      const client = spawn(process.execPath, ["client.mjs"], { cwd: dir, env: { ...process.env, ...env } });
      let text = "";
      client.stdout.on("data", (chunk) => (text += chunk));
      client.stderr.on("data", (chunk) => (text += chunk));
      client.on("error", reject);
      client.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`client exited ${code}:\n${text}`))));
    });
    assert.match(output, /increment\(5\) -> 5\n/);
    assert.match(output, /newCount event -> 6\n/);
    assert.match(output, /getCount\(\) -> 6\n/);
    server.assertRunnerLoaded();
  });
});
