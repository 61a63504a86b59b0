// Small helpers shared by the tests: paths, condition polling with a deadline.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const NODE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = join(NODE_DIR, "../..");

// Polls `condition` (sync or async) every `intervalMs` until it returns a truthy value, which is
// returned; throws after `timeoutMs` naming `what`. An exception thrown by `condition` ends the wait.
export async function waitFor(condition, { timeoutMs = 30_000, intervalMs = 100, what = "condition" } = {}) {
	const deadline = Date.now() + timeoutMs;
	let last;
	for (;;) {
		last = await condition();
		if (last) return last;
		if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
}

// Resolves with the first value passed to the returned `resolve`, or rejects after `timeoutMs`.
export function deferred(timeoutMs, what) {
	let resolve, reject;
	const promise = new Promise((res, rej) => {
		resolve = res;
		reject = rej;
	});
	const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
	promise.finally(() => clearTimeout(timer)).catch(() => {});
	return { promise, resolve, reject };
}

export function uniqueSuffix() {
	return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

// Kills `proc` (SIGKILL) if this process exits first, until `exited` settles.
export function killOnExit(proc, exited) {
	const kill = () => {
		try {
			proc.kill("SIGKILL");
		} catch {}
	};
	process.once("exit", kill);
	exited.then(() => process.removeListener("exit", kill));
}
