// The same registry behind RivetKit's serverless handler, served by a plain Node HTTP server as a
// Vercel function would serve it: the engine calls GET {url}/api/rivet/start whenever it wants a
// runner, and each start brings one up on tether. PORT (default 3000) is where it listens;
// RIVET_ENDPOINT and RIVET_NAMESPACE must match what the engine sends.
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { registry } from "./registry.mjs";

const port = Number(process.env.PORT ?? 3000);
createServer(async (req, res) => {
  // The engine ends a start by dropping its request: that aborts the Request, and rivetkit drains
  // that start's runner.
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of [value].flat()) if (one !== undefined) headers.append(name, one);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const response = await registry.handler(new Request(`http://${req.headers.host}${req.url}`, {
    method: req.method, headers, signal: abort.signal,
    body: hasBody ? Readable.toWeb(req) : undefined, duplex: hasBody ? "half" : undefined,
  }));
  res.writeHead(response.status, [...response.headers].flat());
  if (response.body) {
    const reader = response.body.getReader();
    abort.signal.addEventListener("abort", () => reader.cancel().catch(() => {}));
    for (let chunk = await reader.read(); !chunk.done && !res.destroyed; chunk = await reader.read()) {
      res.write(chunk.value);
    }
  }
  res.end();
}).listen(port, "127.0.0.1", () => console.log(`serverless endpoint: http://127.0.0.1:${port}/api/rivet`));
