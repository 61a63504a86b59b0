// An ordinary Node web app (plain `http` + `ws`) that runs as Rivet actors behind `tether agent`.
// It knows nothing of Rivet beyond the headers the agent adds: each actor is told apart by
// x-rivet-actor-id, and WebSockets on /chat opt into hibernation with `x-tether-hibernate: 1`.
// State that must outlive the process or the actor's sleep goes to the actor's KV through the
// agent's sidecar API, as JSON over HTTP (`tether agent --sidecar-json`) with the built-in fetch.
//
//   PORT=3000 TETHER_SIDECAR_URL=http://127.0.0.1:9464 node examples/agent-node/server.mjs
//
// Routes:
//   GET  /              who am I: the actor's id, name, key, generation, and a per-actor visit count
//                       kept in memory (lost when the app restarts)
//   POST /count         adds 1 to the actor's counter, kept in the actor's KV, and answers it
//   POST /echo          the request body back
//   GET  /headers       the request headers the app received, as JSON
//   GET  /slow?ms=N     answers after N milliseconds
//   GET  /closes        the WebSocket closes the app has seen, as JSON
//   WS   /ws            echoes "echo:<message>"; cannot hibernate
//   WS   /chat         hibernatable: echoes "chat:<message>"; "whoami" answers
//                      "resumed=<0|1> socket=<x-rivet-websocket-id>"
//   On either socket, "close-me" makes the app close it with 4001 "bye from app".
import http from 'node:http';
import { WebSocketServer } from 'ws';

const visits = new Map();  // actor id -> count; in memory, as an app would keep a cache
const sidecarUrl = (process.env.TETHER_SIDECAR_URL ?? 'http://127.0.0.1:9464').replace(/\/$/, '');
const counterKey = Buffer.from('count').toString('base64');  // bytes travel as base64

// Calls a sidecar method and answers its response message; an error answer throws its code.
async function sidecar(method, request) {
  const response = await fetch(`${sidecarUrl}/sidecar/v1/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`${body.code}: ${body.message}`);
  return body;
}

// The agent sends an actor one request at a time, so read-then-write cannot race.
async function count(actorId) {
  const { entries } = await sidecar('KvGet', { actor_id: actorId, keys: [counterKey] });
  const value = (entries.length ? Number(Buffer.from(entries[0].value, 'base64')) : 0) + 1;
  await sidecar('KvPut', { actor_id: actorId, entries: [{ key: counterKey, value: Buffer.from(String(value)).toString('base64') }] });
  return value;
}
const closes = [];         // {path, code, reason, socket}, newest last

function actorOf(req) {
  return {
    id: req.headers['x-rivet-actor-id'] ?? null,
    name: req.headers['x-rivet-actor-name'] ?? null,
    key: req.headers['x-rivet-actor-key'] ?? null,
    generation: req.headers['x-rivet-actor-generation'] ?? null,
  };
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://app');
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (req.method === 'GET' && url.pathname === '/') {
      const actor = actorOf(req);
      const count = (visits.get(actor.id) ?? 0) + 1;
      visits.set(actor.id, count);
      return json(res, 200, { actor, visits: count });
    }
    if (req.method === 'POST' && url.pathname === '/count') {
      return count(actorOf(req).id).then(
        (value) => json(res, 200, { count: value }),
        (error) => json(res, 502, { error: String(error.message) }));
    }
    if (req.method === 'POST' && url.pathname === '/echo') {
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' });
      return res.end(body);
    }
    if (req.method === 'GET' && url.pathname === '/headers') return json(res, 200, req.headers);
    if (req.method === 'GET' && url.pathname === '/slow') {
      const ms = Number(url.searchParams.get('ms') ?? 1000);
      return setTimeout(() => json(res, 200, { slept: ms }), ms);
    }
    if (req.method === 'GET' && url.pathname === '/closes') return json(res, 200, closes);
    json(res, 404, { error: 'not found', path: url.pathname });
  });
});

const sockets = new WebSocketServer({ noServer: true, maxPayload: 20 * 1024 * 1024 });
// The upgrade answer is where a socket opts into hibernation.
sockets.on('headers', (headers, req) => {
  if (new URL(req.url, 'http://app').pathname === '/chat') headers.push('x-tether-hibernate: 1');
});

server.on('upgrade', (req, socket, head) => {
  const path = new URL(req.url, 'http://app').pathname;
  if (path !== '/ws' && path !== '/chat') {
    socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  sockets.handleUpgrade(req, socket, head, (ws) => {
    const resumed = req.headers['x-tether-resumed'] === '1';
    const socketId = req.headers['x-rivet-websocket-id'];
    ws.on('message', (data, isBinary) => {
      const text = data.toString();
      if (text === 'close-me') return ws.close(4001, 'bye from app');
      if (path === '/chat' && text === 'whoami') return ws.send(`resumed=${resumed ? 1 : 0} socket=${socketId}`);
      if (isBinary) return ws.send(data, { binary: true });
      ws.send(`${path === '/chat' ? 'chat' : 'echo'}:${text}`);
    });
    ws.on('close', (code, reason) => closes.push({ path, code, reason: reason.toString(), socket: socketId }));
  });
});

server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port}`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
