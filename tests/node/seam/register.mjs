// The runner seam. Loaded into the app process with `node --import <this file>`:
//   TETHER_RUNNER_PKG=<dir of a package>  every ESM import of the bare specifier
//                                         "@rivetkit/engine-runner" (rivetkit's engine driver)
//                                         resolves to that package's entry instead of the
//                                         official runner; imports from inside that package
//                                         itself are left alone (a wrapper may re-export the
//                                         official runner). Unset: the official runner.
//   TETHER_RUNNER_MARKER=<file>           one JSON line per resolution of that specifier:
//                                         {pid, parent, url, packageDir, name, version,
//                                         substituted}, so a test can prove which runner ran.
import { register } from "node:module";

register("./resolve-hooks.mjs", import.meta.url, {
	data: {
		pkgDir: process.env.TETHER_RUNNER_PKG || null,
		marker: process.env.TETHER_RUNNER_MARKER || null,
		pid: process.pid,
	},
});
