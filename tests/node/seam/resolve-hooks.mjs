// Module resolve hooks for register.mjs (they run on node's hooks thread).
import { appendFileSync, existsSync, readFileSync, realpathSync, writeSync } from "node:fs";
import { dirname, join, resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SPECIFIER = "@rivetkit/engine-runner";
let substitute = null; // { dirUrl, entryUrl }
let marker = null;
let pid = 0;

// The entry an ESM import of the package would load: exports["."] (node, import, default), else
// module/main.
function pickEntry(pkg) {
	const fromCondition = (v) => {
		if (typeof v === "string") return v;
		if (v && typeof v === "object") return fromCondition(v.node) ?? fromCondition(v.import) ?? fromCondition(v.default);
		return undefined;
	};
	const e = pkg.exports;
	if (e !== undefined) {
		const dot = typeof e === "string" || Array.isArray(e) || e["."] === undefined ? e : e["."];
		const entry = fromCondition(dot);
		if (entry) return entry;
	}
	return pkg.module ?? pkg.main ?? "index.js";
}

// The nearest package.json above a file: which package a resolved URL belongs to.
function owningPackage(url) {
	if (!url.startsWith("file:")) return { packageDir: null, name: null, version: null };
	let dir = dirname(fileURLToPath(url));
	for (;;) {
		const file = join(dir, "package.json");
		if (existsSync(file)) {
			try {
				const pkg = JSON.parse(readFileSync(file, "utf8"));
				if (pkg.name) return { packageDir: realpathSync(dir), name: pkg.name, version: pkg.version ?? null };
			} catch {}
		}
		const parent = dirname(dir);
		if (parent === dir) return { packageDir: null, name: null, version: null };
		dir = parent;
	}
}

function record(parent, url, substituted) {
	const entry = { pid, parent: parent ?? null, url, ...owningPackage(url), substituted };
	const line = `${JSON.stringify(entry)}\n`;
	if (marker) appendFileSync(marker, line);
	writeSync(2, `[tether-runner-seam] ${SPECIFIER} -> ${entry.name}@${entry.version} ${entry.packageDir}\n`);
}

export async function initialize(data) {
	marker = data.marker;
	pid = data.pid;
	if (data.pkgDir) {
		const dir = realpathSync(resolvePath(data.pkgDir));
		const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
		substitute = { dirUrl: pathToFileURL(`${dir}/`).href, entryUrl: pathToFileURL(join(dir, pickEntry(pkg))).href };
	}
}

export async function resolve(specifier, context, nextResolve) {
	if (specifier !== SPECIFIER) return nextResolve(specifier, context);
	const parent = context.parentURL ?? "";
	if (substitute && parent.startsWith(substitute.dirUrl)) return nextResolve(specifier, context);
	if (substitute) {
		record(parent, substitute.entryUrl, true);
		return { url: substitute.entryUrl, shortCircuit: true };
	}
	const result = await nextResolve(specifier, context);
	record(parent, result.url, false);
	return result;
}
