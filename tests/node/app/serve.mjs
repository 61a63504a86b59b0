// Runs app/registry.js as a normal (non-serverless) runner with rivetkit's ENGINE driver, the way a
// self-hosted rivetkit app runs: configured by rivetkit's own environment variables
//   RIVET_ENDPOINT        engine URL (required here; without it rivetkit picks its file-system driver)
//   RIVET_NAMESPACE       namespace (default "default")
//   RIVET_RUNNER          runner name = the pool actors are scheduled on (default "default")
//   RIVET_TOKEN, RIVET_TOTAL_SLOTS, RIVET_RUNNER_VERSION, RIVET_LOG_LEVEL
// Which runner implementation rivetkit loads is chosen by the seam (node --import ../seam/register.mjs).
import { registry } from "./registry.js";

if (!process.env.RIVET_ENDPOINT) {
	console.error("serve.mjs: set RIVET_ENDPOINT to the engine URL");
	process.exit(2);
}
registry.startRunner();
console.log(`serve.mjs: runner "${process.env.RIVET_RUNNER ?? "default"}" starting against ${process.env.RIVET_ENDPOINT} namespace ${process.env.RIVET_NAMESPACE ?? "default"}`);
