// rivetkit's serverless handler (app/serverless.mjs: registry.handler behind a plain Node http
// server) as the endpoint of an engine serverless runner config. The engine calls GET /start when
// an actor needs a runner; rivetkit starts a runner for that request; when the request's lifespan
// ends the engine drains that runner and a new /start takes over, with the actors' state, KV and
// hibernatable connections intact. The runner is the official @rivetkit/engine-runner or the
// package TETHER_RUNNER_PKG names.
//
// Timings: request_lifespan 15 s; the engine drains a serverless runner its global
// serverless_drain_grace_period (4 s here, 10 s by default) before the lifespan ends, so after
// about 11 s. The config's own drain_grace_period must be below the lifespan but has no effect.
import "./lib/quiet.mjs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient } from "rivetkit/client";
import { AppProcess, runnerChoice } from "./lib/app.mjs";
import { startEngine } from "./lib/engine.mjs";
import { deferred, uniqueSuffix, waitFor } from "./lib/util.mjs";

const RUNNER_NAME = "tether-node-serverless";
const REQUEST_LIFESPAN_S = 15;
const CONFIG_DRAIN_GRACE_S = 3;
const ENGINE_DRAIN_GRACE_MS = 4000;

const runner = runnerChoice();

function startRequests(app) {
	return [...app.log().matchAll(/^serverless\.mjs: request \d+ GET \S*\/start$/gm)].length;
}

describe(`serverless: engine-driven /start, runner: ${runner.label}`, () => {
	let engine;
	let app;
	let url;
	let namespace;
	let client;
	const key = `sl-${uniqueSuffix()}`;
	// Filled by the first test, checked after the rotation.
	const before_ = {};

	before(async () => {
		engine = await startEngine({ extraConfig: { pegboard: { serverless_drain_grace_period: ENGINE_DRAIN_GRACE_MS } } });
		namespace = await engine.createNamespace(`serverless-${uniqueSuffix()}`);
		app = new AppProcess({
			script: "serverless.mjs",
			name: "serverless",
			runner,
			env: {
				RIVET_ENDPOINT: engine.endpoint,
				RIVET_NAMESPACE: namespace,
				TETHER_SERVERLESS_BASE_PATH: "/api/rivet",
				RIVET_LOG_LEVEL: process.env.TETHER_APP_LOG_LEVEL ?? "warn",
			},
		}).start();
		url = (await app.waitForLog(/listening on (\S+)/))[1];
		client = createClient({ endpoint: engine.endpoint, namespace, runnerName: RUNNER_NAME });
	});

	after(async () => {
		await client?.dispose().catch(() => {});
		await app?.stop();
		app?.cleanup();
		await engine?.stop();
	});

	test("/metadata announces rivetkit 2.2.1 and the engine's health check accepts the endpoint", async () => {
		const metadata = await (await fetch(`${url}/metadata`)).json();
		assert.equal(metadata.runtime, "rivetkit");
		assert.equal(metadata.version, "2.2.1");
		assert.deepEqual(metadata.runner, { kind: { serverless: {} }, version: 1 });
		assert.deepEqual(Object.keys(metadata.actorNames).sort(), ["counter", "drowsy", "failing", "greeter", "hibernating", "raw", "room", "scheduler", "sleeper", "store"]);
		const check = await engine.rest("POST", `/runner-configs/serverless-health-check?namespace=${namespace}`, { url, headers: {} });
		assert.deepEqual(check, { success: { version: "2.2.1" } });
	});

	test("an actor makes the engine call /start, and the runner that start brings up serves it", { timeout: 60_000 }, async () => {
		await engine.upsertServerlessRunnerConfig(namespace, RUNNER_NAME, {
			url,
			requestLifespanS: REQUEST_LIFESPAN_S,
			drainGracePeriodS: CONFIG_DRAIN_GRACE_S,
			maxRunners: 1,
		});
		const sleeper = client.sleeper.getOrCreate([key, "sleeper"]);
		assert.deepEqual([await sleeper.increment(5), await sleeper.increment(2)], [5, 7]);
		assert.ok(startRequests(app) >= 1, "the engine called /start");

		const runners = await engine.runners(namespace, RUNNER_NAME);
		assert.equal(runners.length, 1, JSON.stringify(runners));
		assert.equal(runners[0].drain_ts, null);
		assert.deepEqual(runners[0].metadata, { rivetkit: { version: "2.2.1" } });
		before_.runnerId = runners[0].runner_id;

		const store = client.store.getOrCreate([key, "store"]);
		await store.put("kept", "across starts");

		const conn = client.hibernating.getOrCreate([key, "hibernating"]).connect();
		before_.conn = conn;
		before_.opens = 0;
		before_.closes = 0;
		before_.ticks = [];
		conn.onOpen(() => (before_.opens += 1));
		conn.onClose(() => (before_.closes += 1));
		conn.on("tick", (n) => before_.ticks.push(n));
		assert.deepEqual([await conn.call(), await conn.call()], [1, 2]);
		before_.connectionId = conn.connectionId;

		app.assertRunnerLoaded();
	});

	test("at the end of the start's lifespan the runner drains, a new /start serves the actors, state intact", { timeout: 90_000 }, async () => {
		assert.ok(before_.runnerId, "the previous test brought up a runner");
		const sleeperId = await client.sleeper.getOrCreate([key, "sleeper"]).resolve();
		// The engine drains the first runner REQUEST_LIFESPAN_S - ENGINE_DRAIN_GRACE_MS after its start.
		await waitFor(
			async () => {
				const first = (await engine.runners(namespace, RUNNER_NAME)).find((r) => r.runner_id === before_.runnerId);
				return !first || first.drain_ts != null || first.stop_ts != null;
			},
			{ timeoutMs: (REQUEST_LIFESPAN_S + 20) * 1000, intervalMs: 200, what: "the first serverless runner to drain" },
		);
		// With crash policy "sleep" (rivetkit's getOrCreate) a drained actor sleeps until it is needed.
		await waitFor(() => engine.actorIsAsleep(namespace, sleeperId), { timeoutMs: 20_000, what: "the sleeper to stop on the draining runner" });

		const sleeper = client.sleeper.getOrCreate([key, "sleeper"]);
		assert.equal(await sleeper.increment(1), 8);
		assert.deepEqual(await sleeper.status(), { count: 8, sleeps: 1, wakes: 2 });
		assert.equal(await client.store.getOrCreate([key, "store"]).get("kept"), "across starts");

		// The connection stayed open through the move and its next call woke the actor.
		const conn = before_.conn;
		try {
			assert.equal(conn.isConnected, true);
			const tick = deferred(15_000, "the tick event after the move");
			const unsubscribe = conn.on("tick", (n) => n === 3 && tick.resolve());
			assert.equal(await conn.call(), 3);
			await tick.promise;
			unsubscribe();
			assert.equal(conn.connectionId, before_.connectionId);
			assert.deepEqual({ opens: before_.opens, closes: before_.closes }, { opens: 1, closes: 0 });
			assert.deepEqual(before_.ticks, [1, 2, 3]);
			const status = await conn.status();
			assert.deepEqual({ connects: status.connects, disconnects: status.disconnects, conns: status.conns }, { connects: 1, disconnects: 0, conns: 1 });
			assert.ok(status.sleeps >= 1 && status.wakes >= 2, JSON.stringify(status));
		} finally {
			await conn.dispose();
		}

		// The actors run on a runner of a later /start: the first one is draining or gone.
		assert.ok(startRequests(app) >= 2, `at least two /start requests (log:\n${app.logTail(2000)})`);
		const live = (await engine.runners(namespace, RUNNER_NAME)).filter((r) => r.drain_ts == null && r.stop_ts == null);
		assert.ok(live.length >= 1 && live.every((r) => r.runner_id !== before_.runnerId), JSON.stringify(live));
		app.assertRunnerLoaded();
	});
});
