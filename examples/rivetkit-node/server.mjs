// Hosts the registry's actors as a runner, configured by RivetKit's variables: RIVET_ENDPOINT (the
// engine), RIVET_NAMESPACE, RIVET_RUNNER (the pool), RIVET_TOKEN, RIVET_TOTAL_SLOTS.
import { registry } from "./registry.mjs";

if (!process.env.RIVET_ENDPOINT) {
  console.error("server.mjs: set RIVET_ENDPOINT to the engine's URL (e.g. http://127.0.0.1:6420)");
  process.exit(2);
}
registry.startRunner();
console.log(`counter runner started against ${process.env.RIVET_ENDPOINT}`);
