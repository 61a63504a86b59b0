// The rivetkit 2.2.1 app (app/registry.js, run by app/serve.mjs as a normal runner) driven by
// rivetkit's client through a real engine: every scenario of lib/scenarios.mjs must observe what
// the official runner gives (lib/expected.mjs). The runner is the official @rivetkit/engine-runner,
// or the package TETHER_RUNNER_PKG names (the seam proves which one rivetkit loaded).
import "./lib/quiet.mjs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runnerChoice } from "./lib/app.mjs";
import { startEngine } from "./lib/engine.mjs";
import { expected } from "./lib/expected.mjs";
import { runScenario, scenarios } from "./lib/scenarios.mjs";
import { startRunnerStack } from "./lib/stack.mjs";
import { uniqueSuffix } from "./lib/util.mjs";

const runner = runnerChoice();

describe(`rivetkit app through the engine, runner: ${runner.label}`, () => {
	let engine;
	let stack;

	before(async () => {
		engine = await startEngine();
		stack = await startRunnerStack(engine, runner);
	});

	after(async () => {
		await stack?.stop();
		await engine?.stop();
	});

	test("rivetkit loaded the intended runner", () => {
		const entries = stack.app.assertRunnerLoaded();
		assert.ok(entries.every((e) => e.packageDir === runner.expectedDir));
	});

	for (const name of Object.keys(scenarios)) {
		test(name, { timeout: 60_000 }, async (t) => {
			const result = await runScenario(name, { ...stack, key: `${name}-${uniqueSuffix()}` });
			try {
				assert.deepEqual(result, expected[name]);
			} catch (error) {
				t.diagnostic(`app log tail:\n${stack.app.logTail(3000)}`);
				throw error;
			}
		});
	}

	test("the runner is still connected and registered after all scenarios", async () => {
		const runners = await engine.runners(stack.namespace, stack.runnerName);
		assert.equal(runners.length, 1);
		assert.equal(runners[0].drain_ts, null);
		assert.equal(stack.app.exit, null, "serve.mjs is still running");
	});
});
