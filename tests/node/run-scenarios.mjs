// Prints what the scenarios of lib/scenarios.mjs observe, as JSON, for the runner that
// TETHER_RUNNER_PKG names (unset: the official one): a look at a runner's behaviour outside the
// tests, e.g. to update lib/expected.mjs after a deliberate change to a scenario.
//   node run-scenarios.mjs [scenario...]      (default: all)
import "./lib/quiet.mjs";
import { runnerChoice } from "./lib/app.mjs";
import { startEngine } from "./lib/engine.mjs";
import { runScenario, scenarios } from "./lib/scenarios.mjs";
import { startRunnerStack } from "./lib/stack.mjs";
import { uniqueSuffix } from "./lib/util.mjs";

const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(scenarios);
for (const name of names) if (!scenarios[name]) throw new Error(`no scenario ${name}; there are: ${Object.keys(scenarios).join(", ")}`);
const engine = await startEngine();
let stack;
const results = {};
try {
	stack = await startRunnerStack(engine, runnerChoice(), { name: "run" });
	stack.app.assertRunnerLoaded();
	for (const name of names) {
		const started = Date.now();
		try {
			results[name] = await runScenario(name, { ...stack, key: `${name}-${uniqueSuffix()}` });
		} catch (error) {
			results[name] = { scenarioFailed: String(error?.stack ?? error) };
		}
		process.stderr.write(`${name}: ${Date.now() - started} ms\n`);
	}
} finally {
	await stack?.stop();
	await engine.stop();
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
