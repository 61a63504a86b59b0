// Differential test: the scenarios of lib/scenarios.mjs run once with the official
// @rivetkit/engine-runner 2.2.1 and once with our package (TETHER_ADDON_PKG, loaded through the
// runner seam), each as its own app process on its own namespace of one real engine; what the
// client observes must be identical. The official half must also match lib/expected.mjs, so that
// a difference is the runner's and not a scenario's nondeterminism.
import "./lib/quiet.mjs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runnerChoice } from "./lib/app.mjs";
import { startEngine } from "./lib/engine.mjs";
import { expected } from "./lib/expected.mjs";
import { runScenario, scenarios } from "./lib/scenarios.mjs";
import { startRunnerStack } from "./lib/stack.mjs";
import { uniqueSuffix } from "./lib/util.mjs";

const addonPkg = process.env.TETHER_ADDON_PKG || null;
const skipAddon = addonPkg ? false : "TETHER_ADDON_PKG is not set (no @tether/engine-runner build to compare): official half only";

// Every scenario, in order; a failing scenario records its error instead of stopping the run.
async function runAll(engine, runner, name) {
	const stack = await startRunnerStack(engine, runner, { name });
	try {
		const loaded = stack.app.assertRunnerLoaded();
		const results = {};
		for (const scenario of Object.keys(scenarios)) {
			try {
				results[scenario] = await runScenario(scenario, { ...stack, key: `${scenario}-${uniqueSuffix()}` });
			} catch (error) {
				results[scenario] = { scenarioFailed: String(error?.message ?? error) };
			}
		}
		return { results, loaded, logTail: stack.app.logTail(3000) };
	} finally {
		await stack.stop();
	}
}

function differences(actual, reference) {
	const names = [];
	for (const name of Object.keys(reference)) {
		try {
			assert.deepEqual(actual[name], reference[name]);
		} catch {
			names.push(name);
		}
	}
	return names;
}

describe("differential: official runner vs TETHER_ADDON_PKG", () => {
	let engine;
	let official;
	let addon;

	before(async () => {
		engine = await startEngine();
	});

	after(async () => {
		await engine?.stop();
	});

	test("official @rivetkit/engine-runner: every scenario gives the recorded results", { timeout: 120_000 }, async (t) => {
		official = await runAll(engine, runnerChoice(null), "official");
		const differing = differences(official.results, expected);
		if (differing.length) t.diagnostic(`scenarios that differ: ${differing.join(", ")}\nofficial app log tail:\n${official.logTail}`);
		for (const name of differing) assert.deepEqual(official.results[name], expected[name], `scenario ${name} (official runner)`);
	});

	test(`addon runner (${addonPkg ?? "unset"}): the same scenarios`, { skip: skipAddon, timeout: 120_000 }, async () => {
		addon = await runAll(engine, runnerChoice(addonPkg), "addon");
		assert.ok(addon.loaded.every((e) => e.substituted));
	});

	test("addon results are identical to the official runner's", { skip: skipAddon }, (t) => {
		assert.ok(official && addon, "both halves ran");
		const differing = differences(addon.results, official.results);
		if (differing.length) t.diagnostic(`scenarios that differ: ${differing.join(", ")}\naddon app log tail:\n${addon.logTail}`);
		for (const name of differing) assert.deepEqual(addon.results[name], official.results[name], `scenario ${name}: addon (actual) vs official (expected)`);
	});
});
