// Re-exports the official runner (this package's own import of @rivetkit/engine-runner is not
// redirected by the seam) and prints a line to stderr for every Runner constructed, so a test can
// see it ran. TETHER_SELFTEST_MUTATION=reverse-kv-lists makes it wrong on purpose (prefix listings
// come back reversed), to check that the scenarios notice a misbehaving runner.
import * as official from "@rivetkit/engine-runner";

export * from "@rivetkit/engine-runner";

const mutation = process.env.TETHER_SELFTEST_MUTATION ?? "";

export class Runner extends official.Runner {
	constructor(config) {
		super(config);
		process.stderr.write(`tether selftest runner: Runner constructed for ${config.runnerName} in ${config.namespace}${mutation ? ` (mutation ${mutation})` : ""}\n`);
	}

	async kvListPrefix(...args) {
		const entries = await super.kvListPrefix(...args);
		return mutation === "reverse-kv-lists" ? entries.reverse() : entries;
	}
}
