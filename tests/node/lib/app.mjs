// Starts the rivetkit app (app/serve.mjs or app/serverless.mjs) in its own Node 22 process with the
// runner seam, and proves afterwards which `@rivetkit/engine-runner` it loaded.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { NODE_DIR, killOnExit, waitFor } from "./util.mjs";

export const OFFICIAL_RUNNER_DIR = realpathSync(join(NODE_DIR, "node_modules/@rivetkit/engine-runner"));
const RIVETKIT_DIR = realpathSync(join(NODE_DIR, "node_modules/rivetkit"));
const SEAM = join(NODE_DIR, "seam/register.mjs");

// Which runner a test means: { label, pkgDir } with pkgDir null for the official one. By default
// what TETHER_RUNNER_PKG says.
export function runnerChoice(pkgDir = process.env.TETHER_RUNNER_PKG || null) {
	if (!pkgDir) return { label: "official @rivetkit/engine-runner", pkgDir: null, expectedDir: OFFICIAL_RUNNER_DIR };
	if (!existsSync(join(pkgDir, "package.json"))) throw new Error(`runner package ${pkgDir} has no package.json`);
	const dir = realpathSync(pkgDir);
	return { label: `substitute ${dir}`, pkgDir: dir, expectedDir: dir };
}

export class AppProcess {
	#proc;
	#exited;
	exit = null;

	// `scriptDir`: where `script` is (default app/); it must resolve "rivetkit" from this folder.
	constructor({ script, env, runner, name, scriptDir = join(NODE_DIR, "app") }) {
		this.script = script;
		this.scriptDir = scriptDir;
		this.runner = runner;
		this.dir = mkdtempSync(join(process.env.TMPDIR || tmpdir(), `tether-node-${name}-`));
		this.logPath = join(this.dir, "app.log");
		this.markerPath = join(this.dir, "runner-marker.jsonl");
		this.env = env;
	}

	start() {
		const env = { ...process.env, ...this.env, TETHER_RUNNER_MARKER: this.markerPath };
		delete env.TETHER_RUNNER_PKG;
		if (this.runner.pkgDir) env.TETHER_RUNNER_PKG = this.runner.pkgDir;
		delete env.NODE_OPTIONS;
		const fd = openSync(this.logPath, "a");
		// setpriv: the app gets SIGKILL when this process dies, however it dies.
		this.#proc = spawn("setpriv", ["--pdeathsig", "KILL", "--", process.execPath, "--import", SEAM, join(this.scriptDir, this.script)], {
			env,
			cwd: this.scriptDir,
			stdio: ["ignore", fd, fd],
		});
		closeSync(fd);
		this.#exited = new Promise((resolve) =>
			this.#proc.once("exit", (code, signal) => {
				this.exit = { code, signal };
				resolve(this.exit);
			}),
		);
		killOnExit(this.#proc, this.#exited);
		return this;
	}

	get pid() {
		return this.#proc?.pid;
	}

	log() {
		return existsSync(this.logPath) ? readFileSync(this.logPath, "utf8") : "";
	}

	logTail(bytes = 6000) {
		const text = this.log();
		return text.slice(Math.max(0, text.length - bytes));
	}

	async waitForLog(pattern, timeoutMs = 30_000) {
		return waitFor(
			() => {
				if (this.exit) throw new Error(`${this.script} exited (${JSON.stringify(this.exit)}):\n${this.logTail()}`);
				return this.log().match(pattern);
			},
			{ timeoutMs, what: `${pattern} in the log of ${this.script}` },
		);
	}

	markerEntries() {
		if (!existsSync(this.markerPath)) return [];
		return readFileSync(this.markerPath, "utf8")
			.split("\n")
			.filter(Boolean)
			.map((line) => JSON.parse(line));
	}

	// Every import of @rivetkit/engine-runner made by rivetkit in this process loaded the package
	// this test meant, and there was at least one. Returns the entries.
	assertRunnerLoaded() {
		const fromRivetkit = this.markerEntries().filter((e) => e.parent?.startsWith(`file://${RIVETKIT_DIR}/`));
		assert.ok(fromRivetkit.length > 0, `rivetkit never imported @rivetkit/engine-runner in ${this.script} (marker ${this.markerPath}):\n${this.logTail()}`);
		for (const entry of fromRivetkit) {
			assert.equal(entry.packageDir, this.runner.expectedDir, `rivetkit's import from ${entry.parent} loaded ${entry.packageDir}, not ${this.runner.label}`);
			assert.equal(entry.substituted, this.runner.pkgDir !== null);
		}
		if (this.runner.pkgDir === null) {
			assert.deepEqual([...new Set(fromRivetkit.map((e) => `${e.name}@${e.version}`))], ["@rivetkit/engine-runner@2.2.1"]);
		}
		return fromRivetkit;
	}

	async stop() {
		if (!this.#proc) return;
		if (!this.exit) {
			// The official runner drains on SIGTERM but never exits by itself; a test does not need that.
			this.#proc.kill("SIGKILL");
		}
		await this.#exited;
		this.#proc = undefined;
	}

	cleanup() {
		if (!process.env.TETHER_KEEP_APP_DIR) rmSync(this.dir, { recursive: true, force: true });
	}
}
