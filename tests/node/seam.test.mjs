// The runner seam itself (seam/register.mjs): TETHER_RUNNER_PKG really replaces the runner rivetkit
// loads, the marker says so, a package that cannot be loaded stops the app instead of falling back
// to the official runner, and the scenarios notice a runner that misbehaves.
import "./lib/quiet.mjs";
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { AppProcess, runnerChoice } from "./lib/app.mjs";
import { startEngine } from "./lib/engine.mjs";
import { expected } from "./lib/expected.mjs";
import { runScenario } from "./lib/scenarios.mjs";
import { startRunnerStack } from "./lib/stack.mjs";
import { NODE_DIR, uniqueSuffix, waitFor } from "./lib/util.mjs";

const SELFTEST = join(NODE_DIR, "seam/selftest-runner");

describe("runner seam", () => {
	let engine;

	before(async () => {
		engine = await startEngine();
	});

	after(async () => {
		await engine?.stop();
	});

	test("TETHER_RUNNER_PKG replaces the runner rivetkit loads, and the marker records it", async () => {
		const runner = runnerChoice(SELFTEST);
		const stack = await startRunnerStack(engine, runner, { name: "seam" });
		try {
			const entries = stack.app.assertRunnerLoaded();
			assert.ok(entries.every((e) => e.name === "@tether-test/selftest-runner" && e.substituted));
			assert.match(stack.app.log(), /tether selftest runner: Runner constructed for tether-node-app/);
			assert.deepEqual(await runScenario("actions", { ...stack, key: `seam-${uniqueSuffix()}` }), expected.actions);
		} finally {
			await stack.stop();
		}
	});

	test("a substitute that cannot be loaded stops the app instead of falling back", async () => {
		const app = new AppProcess({
			script: "serve.mjs",
			name: "seam-missing",
			runner: { label: "missing", pkgDir: join(NODE_DIR, "seam/no-such-package"), expectedDir: null },
			env: { RIVET_ENDPOINT: engine.endpoint, RIVET_NAMESPACE: "default", RIVET_RUNNER: "nobody" },
		}).start();
		try {
			await waitFor(() => app.exit, { timeoutMs: 30_000, what: "serve.mjs to exit" });
			assert.notEqual(app.exit.code, 0);
			assert.match(app.log(), /no-such-package/);
			assert.deepEqual(app.markerEntries(), []);
			assert.throws(() => runnerChoice(join(NODE_DIR, "seam/no-such-package")), /no package\.json/);
		} finally {
			await app.stop();
			app.cleanup();
		}
	});

	test("the scenarios notice a runner that misbehaves (selftest mutation: KV prefix listings reversed)", async () => {
		process.env.TETHER_SELFTEST_MUTATION = "reverse-kv-lists";
		let stack;
		try {
			stack = await startRunnerStack(engine, runnerChoice(SELFTEST), { name: "seam-mutant" });
		} finally {
			delete process.env.TETHER_SELFTEST_MUTATION;
		}
		try {
			assert.match(stack.app.log(), /mutation reverse-kv-lists/);
			const kv = await runScenario("kv", { ...stack, key: `mutant-${uniqueSuffix()}` });
			assert.notDeepEqual(kv, expected.kv);
			assert.deepEqual(kv.prefix, [...expected.kv.prefix].reverse());
		} finally {
			await stack.stop();
		}
	});
});
