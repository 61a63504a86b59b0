// A real rivet-engine for one test file: free loopback ports, a temporary data directory,
// telemetry off, RUST_BACKTRACE unset (it makes the engine 5-25x slower), no CPU load shedding
// and patient internal routing timeouts (tests share two cores with compilers), and a topology whose public URL is the guard port (the
// engine sends it to serverless endpoints as x-rivet-endpoint; rivetkit checks it against its own
// endpoint). Also the engine REST calls the tests need.
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, killOnExit, waitFor } from "./util.mjs";

const DEFAULT_BINARY = join(REPO_ROOT, "node_modules/@rivetkit/engine-cli-linux-x64-musl/rivet-engine");
const DROPPED_VARIABLES = ["RUST_BACKTRACE", "RUST_LIB_BACKTRACE"];
const START_ATTEMPTS = 3;

export function engineBinary() {
	return process.env.TETHER_ENGINE_BINARY || DEFAULT_BINARY;
}

// Three distinct free ports, reserved at once and released for the engine.
async function freePorts(count) {
	const servers = [];
	try {
		for (let i = 0; i < count; i++) {
			const server = createServer();
			await new Promise((resolve, reject) => {
				server.once("error", reject);
				server.listen(0, "127.0.0.1", resolve);
			});
			servers.push(server);
		}
		return servers.map((s) => s.address().port);
	} finally {
		await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
	}
}

function isObject(v) {
	return v !== null && typeof v === "object" && !Array.isArray(v);
}

function merge(base, patch) {
	const out = { ...base };
	for (const [k, v] of Object.entries(patch)) out[k] = isObject(v) && isObject(out[k]) ? merge(out[k], v) : v;
	return out;
}

export class Engine {
	#proc;
	#exited;

	constructor({ dir, ports, extraConfig }) {
		this.dir = dir;
		[this.guardPort, this.peerPort, this.metricsPort] = ports;
		this.endpoint = `http://127.0.0.1:${this.guardPort}`;
		this.logPath = join(dir, "engine.log");
		this.configPath = join(dir, "rivet.json");
		const base = {
			telemetry: { enabled: false },
			// The gateway's internal routing steps (subscribe to an actor's routing events, fetch
			// its state, wake it, resolve a key query) give up after about 2 s by default, which a
			// CPU-starved engine can miss; runner-facing timeouts (actor ready, response start) keep
			// their defaults.
			guard: {
				host: "127.0.0.1",
				port: this.guardPort,
				route_pegboard_subscribe_timeout_ms: 15000,
				route_pegboard_fetch_actor_timeout_ms: 15000,
				route_pegboard_wake_signal_timeout_ms: 15000,
				route_pegboard_resolve_query_timeout_ms: 15000,
			},
			api_peer: { host: "127.0.0.1", port: this.peerPort },
			metrics: { host: "127.0.0.1", port: this.metricsPort },
			file_system: { path: join(dir, "engine-data") },
			// By default the engine pulls fewer internal jobs as host CPU load rises; on a busy
			// 2-core machine that stalls namespace creation and scheduling. A huge budget turns it off.
			runtime: { worker_cpu_max: 1000000 },
			topology: {
				datacenter_label: 1,
				datacenters: {
					default: {
						datacenter_label: 1,
						is_leader: true,
						public_url: `http://127.0.0.1:${this.guardPort}`,
						peer_url: `http://127.0.0.1:${this.peerPort}`,
					},
				},
			},
		};
		writeFileSync(this.configPath, JSON.stringify(merge(base, extraConfig), null, 2));
	}

	log() {
		return existsSync(this.logPath) ? readFileSync(this.logPath, "utf8") : "";
	}

	logTail(bytes = 4000) {
		const text = this.log();
		return text.slice(Math.max(0, text.length - bytes));
	}

	async #spawn() {
		const env = { ...process.env, HOME: this.dir };
		for (const name of DROPPED_VARIABLES) delete env[name];
		const fd = openSync(this.logPath, "a");
		// setpriv: the engine gets SIGKILL when this process dies, however it dies.
		this.#proc = spawn("setpriv", ["--pdeathsig", "KILL", "--", engineBinary(), "--config", this.configPath, "start"], {
			env,
			stdio: ["ignore", fd, fd],
		});
		closeSync(fd);
		this.#exited = new Promise((resolve) => this.#proc.once("exit", (code, signal) => resolve({ code, signal })));
		killOnExit(this.#proc, this.#exited);
	}

	get pid() {
		return this.#proc?.pid;
	}

	// Resolves when /health answers 200; rejects when the engine exits first (e.g. a port taken).
	async #ready(timeoutMs) {
		let exit;
		this.#exited.then((e) => (exit = e));
		await waitFor(
			async () => {
				if (exit) throw new Error(`rivet-engine exited (${JSON.stringify(exit)}) before it was healthy:\n${this.logTail()}`);
				// The engine retries a port it cannot bind; another process may answer on it meanwhile.
				if (this.log().includes("Address in use")) throw new Error(`rivet-engine could not bind its ports:\n${this.logTail()}`);
				try {
					const r = await fetch(`${this.endpoint}/health`, { signal: AbortSignal.timeout(2000) });
					return r.status === 200;
				} catch {
					return false;
				}
			},
			{ timeoutMs, intervalMs: 100, what: `rivet-engine /health at ${this.endpoint}` },
		);
	}

	async start(timeoutMs = 60_000) {
		await this.#spawn();
		await this.#ready(timeoutMs);
	}

	async stop() {
		if (!this.#proc) return;
		// A graceful engine shutdown drains the guard for minutes; the data dir is thrown away.
		this.#proc.kill("SIGKILL");
		await this.#exited;
		this.#proc = undefined;
		if (!process.env.TETHER_KEEP_ENGINE_DIR) rmSync(this.dir, { recursive: true, force: true });
	}

	// ---- REST ----------------------------------------------------------------------------------

	async rest(method, path, body) {
		const response = await fetch(`${this.endpoint}${path}`, {
			method,
			headers: body === undefined ? {} : { "content-type": "application/json" },
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(30_000),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} ${path} -> HTTP ${response.status}: ${text}`);
		return text ? JSON.parse(text) : {};
	}

	async createNamespace(name) {
		// A retried request may find the namespace already made by its first attempt.
		try {
			await this.rest("POST", "/namespaces", { name, display_name: name });
		} catch (error) {
			if (!String(error.message).includes("name_not_unique")) throw error;
		}
		return name;
	}

	async upsertNormalRunnerConfig(namespace, runnerName) {
		return this.rest("PUT", `/runner-configs/${encodeURIComponent(runnerName)}?namespace=${encodeURIComponent(namespace)}`, {
			datacenters: { default: { normal: {} } },
		});
	}

	async upsertServerlessRunnerConfig(namespace, runnerName, { url, requestLifespanS, drainGracePeriodS, slotsPerRunner = 10, maxRunners = 1, minRunners = 0, runnersMargin = 0, headers = {} }) {
		return this.rest("PUT", `/runner-configs/${encodeURIComponent(runnerName)}?namespace=${encodeURIComponent(namespace)}`, {
			datacenters: {
				default: {
					serverless: {
						url,
						headers,
						request_lifespan: requestLifespanS,
						drain_grace_period: drainGracePeriodS,
						slots_per_runner: slotsPerRunner,
						min_runners: minRunners,
						max_runners: maxRunners,
						runners_margin: runnersMargin,
					},
				},
			},
		});
	}

	async runners(namespace, runnerName) {
		const q = new URLSearchParams({ namespace, name: runnerName });
		return (await this.rest("GET", `/runners?${q}`)).runners ?? [];
	}

	async getActor(namespace, actorId) {
		const q = new URLSearchParams({ namespace, actor_ids: actorId, include_destroyed: "true" });
		const { actors } = await this.rest("GET", `/actors?${q}`);
		const actor = actors.find((a) => a.actor_id === actorId);
		if (!actor) throw new Error(`actor ${actorId} is not listed in namespace ${namespace}`);
		return actor;
	}

	// The engine's view of an actor: asleep once sleep_ts is set, awake again when connectable.
	async actorIsAsleep(namespace, actorId) {
		const a = await this.getActor(namespace, actorId);
		return a.sleep_ts != null && a.connectable_ts == null;
	}

	async actorIsAwake(namespace, actorId) {
		const a = await this.getActor(namespace, actorId);
		return a.connectable_ts != null && a.sleep_ts == null;
	}
}

export async function startEngine({ extraConfig = {} } = {}) {
	const binary = engineBinary();
	if (!existsSync(binary)) throw new Error(`rivet-engine not found at ${binary}: run scripts/setup.sh, or set TETHER_ENGINE_BINARY`);
	let lastError;
	for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
		const dir = mkdtempSync(join(process.env.TMPDIR || tmpdir(), "tether-node-engine-"));
		const engine = new Engine({ dir, ports: await freePorts(3), extraConfig });
		try {
			await engine.start();
			return engine;
		} catch (error) {
			lastError = error;
			const addressInUse = engine.log().includes("Address in use");
			await engine.stop();
			// Another process may take a port between our probe and the engine's bind.
			if (!addressInUse) break;
		}
	}
	throw lastError;
}
