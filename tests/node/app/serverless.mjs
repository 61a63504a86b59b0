// Serves app/registry.js through rivetkit's serverless handler (registry.handler) from a plain Node
// `http` server, as a Vercel-style function host would: the engine calls GET <base>/start, and
// rivetkit starts one runner per start request, streaming its init packet back over SSE.
//   RIVET_ENDPOINT                 engine URL (required: it selects the engine driver, and rivetkit
//                                  checks the engine's x-rivet-endpoint header against it)
//   RIVET_NAMESPACE                must equal the namespace the engine sends
//   TETHER_SERVERLESS_PORT         port on 127.0.0.1 (default 0: any free port)
//   TETHER_SERVERLESS_BASE_PATH    default /api/rivet
// Prints "serverless.mjs: listening on <url>" once ready, and one line per request.
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { registry } from "./registry.js";

if (!process.env.RIVET_ENDPOINT) {
	console.error("serverless.mjs: set RIVET_ENDPOINT to the engine URL");
	process.exit(2);
}
const basePath = process.env.TETHER_SERVERLESS_BASE_PATH ?? "/api/rivet";
registry.config.serverless = { ...registry.config.serverless, basePath };

let requests = 0;

const server = createServer(async (req, res) => {
	const n = ++requests;
	console.log(`serverless.mjs: request ${n} ${req.method} ${req.url}`);
	// The engine ends a start by dropping its request: `res` closes (not `req`, which closes once
	// the GET has been read). That aborts the Request, and rivetkit drains that start's runner.
	const abort = new AbortController();
	res.on("close", () => {
		abort.abort();
		console.log(`serverless.mjs: request ${n} closed`);
	});
	try {
		const headers = new Headers();
		for (const [name, value] of Object.entries(req.headers)) {
			if (Array.isArray(value)) for (const v of value) headers.append(name, v);
			else if (value !== undefined) headers.set(name, value);
		}
		const hasBody = req.method !== "GET" && req.method !== "HEAD";
		const request = new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url}`, {
			method: req.method,
			headers,
			body: hasBody ? Readable.toWeb(req) : undefined,
			duplex: hasBody ? "half" : undefined,
			signal: abort.signal,
		});
		const response = await registry.handler(request);
		res.writeHead(response.status, [...response.headers].flat());
		if (response.body) {
			const reader = response.body.getReader();
			abort.signal.addEventListener("abort", () => reader.cancel().catch(() => {}));
			for (;;) {
				const { done, value } = await reader.read();
				if (done || res.destroyed) break;
				res.write(value);
			}
		}
		res.end();
	} catch (error) {
		console.error(`serverless.mjs: request ${n} failed:`, error);
		if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
		res.end(String(error));
	}
});

server.listen(Number(process.env.TETHER_SERVERLESS_PORT ?? 0), "127.0.0.1", () => {
	console.log(`serverless.mjs: listening on http://127.0.0.1:${server.address().port}${basePath}`);
});
