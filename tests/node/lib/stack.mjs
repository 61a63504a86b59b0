// The whole stack for the runner tests: a namespace and a normal runner config on a real engine,
// the rivetkit app (app/serve.mjs) as a runner process with the chosen runner, and rivetkit's
// client pointed at the engine.
import { createClient } from "rivetkit/client";
import { AppProcess } from "./app.mjs";
import { uniqueSuffix, waitFor } from "./util.mjs";

export const RUNNER_NAME = "tether-node-app";
export const RUNNER_VERSION = 3;
export const TOTAL_SLOTS = 500;

// runner: from runnerChoice(). Returns { engine, namespace, app, client, stop() }.
export async function startRunnerStack(engine, runner, { name = "app" } = {}) {
	const namespace = await engine.createNamespace(`${name}-${uniqueSuffix()}`);
	await engine.upsertNormalRunnerConfig(namespace, RUNNER_NAME);
	const app = new AppProcess({
		script: "serve.mjs",
		name,
		runner,
		env: {
			RIVET_ENDPOINT: engine.endpoint,
			RIVET_NAMESPACE: namespace,
			RIVET_RUNNER: RUNNER_NAME,
			RIVET_RUNNER_VERSION: String(RUNNER_VERSION),
			RIVET_TOTAL_SLOTS: String(TOTAL_SLOTS),
			RIVET_LOG_LEVEL: process.env.TETHER_APP_LOG_LEVEL ?? "warn",
		},
	}).start();
	let client;
	const stop = async () => {
		await client?.dispose().catch(() => {});
		await app.stop();
		app.cleanup();
	};
	try {
		await waitFor(
			async () => {
				if (app.exit) throw new Error(`serve.mjs exited (${JSON.stringify(app.exit)}):\n${app.logTail()}`);
				return (await engine.runners(namespace, RUNNER_NAME)).length > 0;
			},
			{ timeoutMs: 60_000, intervalMs: 100, what: `runner ${RUNNER_NAME} to connect (${runner.label})` },
		);
		client = createClient({ endpoint: engine.endpoint, namespace, runnerName: RUNNER_NAME });
		return { engine, namespace, runnerName: RUNNER_NAME, app, client, stop };
	} catch (error) {
		error.message += `\n--- app log ---\n${app.logTail()}`;
		await stop();
		throw error;
	}
}
