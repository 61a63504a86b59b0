// The scenarios a rivetkit user relies on, driven through the real engine with rivetkit's client
// against app/registry.js. Each returns a plain object of what a client observes (no ids, no
// timestamps): app.test.mjs asserts on it, differential.test.mjs compares it between runners.
//
// ctx: { client, engine, namespace, runnerName, key }; `key` makes actor keys unique per run.
// No fixed sleeps: every wait is for a condition (an event, a close, the engine's view of the actor).
import { deferred, waitFor } from "./util.mjs";

const EVENT_TIMEOUT_MS = 15_000;
const SLEEP_TIMEOUT_MS = 20_000;

function errorShape(error) {
	if (error === undefined) return { thrown: false };
	return { thrown: true, group: error.group, code: error.code, message: error.message, metadata: error.metadata ?? null };
}

async function caught(promise) {
	try {
		await promise;
	} catch (error) {
		return errorShape(error);
	}
	return errorShape(undefined);
}

// Collects an event's payloads; `until(n)` resolves once n have arrived.
function collect(conn, eventName) {
	const values = [];
	const waiters = [];
	conn.on(eventName, (value) => {
		values.push(value);
		for (const w of waiters) if (values.length >= w.n) w.resolve(values);
	});
	return {
		values,
		until(n) {
			if (values.length >= n) return Promise.resolve(values);
			const d = deferred(EVENT_TIMEOUT_MS, `${n} "${eventName}" events (got ${JSON.stringify(values)})`);
			waiters.push({ n, resolve: d.resolve });
			return d.promise;
		},
	};
}

async function waitAsleep({ engine, namespace }, handle, what) {
	const actorId = await handle.resolve();
	await waitFor(() => engine.actorIsAsleep(namespace, actorId), { timeoutMs: SLEEP_TIMEOUT_MS, intervalMs: 100, what: `${what} asleep in the engine` });
	return actorId;
}

// A raw WebSocket's messages and close, as the client sees them.
function watchSocket(ws) {
	const messages = [];
	const waiters = [];
	let onClose;
	const closed = new Promise((resolve) => (onClose = resolve));
	ws.binaryType = "arraybuffer";
	ws.addEventListener("message", (event) => {
		messages.push(typeof event.data === "string" ? event.data : Array.from(new Uint8Array(event.data)));
		for (const w of waiters) if (messages.length >= w.n) w.resolve(messages);
	});
	ws.addEventListener("close", (event) => onClose({ code: event.code, reason: event.reason, wasClean: event.wasClean }));
	return {
		messages,
		// Resolves with the close as the client saw it.
		closed() {
			const d = deferred(EVENT_TIMEOUT_MS, `the raw WebSocket to close (messages so far ${JSON.stringify(messages)})`);
			closed.then(d.resolve);
			return d.promise;
		},
		until(n) {
			if (messages.length >= n) return Promise.resolve(messages);
			const d = deferred(EVENT_TIMEOUT_MS, `${n} raw WebSocket messages (got ${JSON.stringify(messages)})`);
			waiters.push({ n, resolve: d.resolve });
			return d.promise;
		},
	};
}

async function openSocket(handle, path) {
	const ws = await handle.webSocket(path);
	const watch = watchSocket(ws);
	if (ws.readyState !== 1) {
		const open = deferred(EVENT_TIMEOUT_MS, "the raw WebSocket to open");
		ws.addEventListener("open", () => open.resolve());
		ws.addEventListener("close", (e) => open.reject(new Error(`raw WebSocket closed before open: ${e.code} ${e.reason}`)));
		await open.promise;
	}
	return { ws, watch };
}

async function responseShape(response, headerNames) {
	const headers = {};
	for (const name of headerNames) headers[name] = response.headers.get(name);
	return { status: response.status, headers, body: await response.text() };
}

export const scenarios = {
	// What the runner told the engine when it connected: name, version, slots and metadata from
	// rivetkit's config (RIVET_RUNNER, RIVET_RUNNER_VERSION, RIVET_TOTAL_SLOTS), and the actor
	// names of the registry.
	async registration({ engine, namespace, runnerName }) {
		const runners = await engine.runners(namespace, runnerName);
		const { names } = await engine.rest("GET", `/actors/names?namespace=${encodeURIComponent(namespace)}&limit=100`);
		return {
			runners: runners.map((r) => ({ name: r.name, version: r.version, total_slots: r.total_slots, metadata: r.metadata, drain_ts: r.drain_ts, stop_ts: r.stop_ts })),
			actorNames: Object.fromEntries(Object.entries(names).sort(([a], [b]) => a.localeCompare(b))),
		};
	},

	// Actions keep state per actor key; a second handle to the same key reaches the same actor.
	async actions({ client, key }) {
		const a = client.counter.getOrCreate([key, "a"]);
		const returns = [await a.increment(5), await a.increment(-2), await a.increment(10)];
		const sameKeyAgain = await client.counter.getOrCreate([key, "a"]).getCount();
		const b = client.counter.getOrCreate([key, "b"]);
		const otherKey = [await b.getCount(), await b.increment(1)];
		const viaGet = await client.counter.get([key, "a"]).getCount();
		return { returns, sameKeyAgain, otherKey, viaGet };
	},

	// Many requests at once over the one runner connection: 8 actors, 12 concurrent increments
	// each (by actor id, so the engine resolves no key per request). Every increment counts
	// exactly once: the answers are a permutation of 1..12 per actor.
	async parallel({ client, key }) {
		const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => client.counter.getOrCreate([key, "parallel", String(i)]).resolve()));
		const actors = ids.map((id) => client.counter.getForId(id));
		const answers = await Promise.all(actors.map((h) => Promise.all(Array.from({ length: 12 }, () => h.increment(1)))));
		const finals = await Promise.all(actors.map((h) => h.getCount()));
		return { answers: answers.map((a) => [...a].sort((x, y) => x - y)), finals };
	},

	// Creation input reaches createState (getOrCreate and create), the key and name reach the
	// actor, and c.destroy() ends it: gone for get(), fresh for getOrCreate().
	async inputAndDestroy({ client, engine, namespace, key }) {
		const withInput = client.greeter.getOrCreate([key, "g1", "x/y"], { createWithInput: { greeting: "hi", punctuation: "!" } });
		const greeted = await withInput.greet("bob");
		const identity = await withInput.identity();
		const created = await client.greeter.create([key, "g2"], { input: { greeting: "hey" } });
		const createdGreets = await created.greet("ann");
		const withoutInput = await client.greeter.getOrCreate([key, "g3"]).greet("cy");
		const actorId = await withInput.resolve();
		const destroyed = await withInput.destroyMe();
		await waitFor(async () => (await engine.getActor(namespace, actorId)).destroy_ts != null, { timeoutMs: EVENT_TIMEOUT_MS, what: "greeter destroyed in the engine" });
		const getAfterDestroy = await caught(client.greeter.get([key, "g1", "x/y"]).greet("bob"));
		getAfterDestroy.message = getAfterDestroy.message?.replaceAll(JSON.stringify(key), '"<key>"');
		const recreated = await client.greeter.getOrCreate([key, "g1", "x/y"]).greet("bob");
		const recreatedIsNew = (await client.greeter.getOrCreate([key, "g1", "x/y"]).resolve()) !== actorId;
		return { greeted, identity, createdGreets, withoutInput, destroyed, getAfterDestroy, recreated, recreatedIsNew };
	},

	// Broadcast events reach every subscribed connection, including for actions called over HTTP.
	async events({ client, key }) {
		const handle = client.counter.getOrCreate([key, "events"]);
		const conn1 = handle.connect();
		const conn2 = handle.connect();
		try {
			const ev1 = collect(conn1, "newCount");
			const ev2 = collect(conn2, "newCount");
			// An action over each connection first: both are open and subscribed from here on.
			await conn1.getCount();
			await conn2.getCount();
			const returns = [await conn1.increment(1), await conn2.increment(2), await handle.increment(3)];
			await ev1.until(3);
			await ev2.until(3);
			return { returns, conn1: [...ev1.values], conn2: [...ev2.values] };
		} finally {
			await conn1.dispose();
			await conn2.dispose();
		}
	},

	// Connection params reach createConnState; onBeforeConnect rejects with a user error whose
	// group/code/metadata reach the client; onConnect/onDisconnect run.
	async connParams({ client, key }) {
		const k = [key, "room"];
		const alice = client.room.getOrCreate(k, { params: { name: "alice", password: "letmein" } }).connect();
		let bob;
		let mallory;
		try {
			const joined = collect(alice, "joined");
			const messages = collect(alice, "message");
			const aliceIs = await alice.whoAmI();
			// Alice is connected and subscribed now; whatever she saw of her own join is not compared.
			joined.values.length = 0;
			bob = client.room.getOrCreate(k, { params: { name: "bob", password: "letmein" } }).connect();
			const bobIs = await bob.whoAmI();
			await joined.until(1);
			const said = await bob.say("hi alice");
			await messages.until(1);

			mallory = client.room.getOrCreate(k, { params: { name: "mallory", password: "guess" } }).connect();
			const malloryErrors = [];
			const malloryError = deferred(EVENT_TIMEOUT_MS, "mallory's connection error");
			mallory.onError((error) => {
				malloryErrors.push(errorShape(error));
				malloryError.resolve();
			});
			const rejectedAction = await caught(mallory.whoAmI());
			await malloryError.promise;
			const rejectedHttp = await caught(client.room.getOrCreate(k, { params: { name: "eve", password: "nope" } }).members());
			// The same rejection on the wire: the actor accepts the WebSocket, then closes it.
			const gateway = new URL(await client.room.getOrCreate(k).getGatewayUrl());
			gateway.protocol = gateway.protocol === "https:" ? "wss:" : "ws:";
			gateway.pathname = `${gateway.pathname.replace(/\/$/, "")}/connect`;
			const params = encodeURIComponent(JSON.stringify({ name: "trudy", password: "bad" }));
			const wire = watchSocket(new WebSocket(gateway, ["rivet", "rivet_encoding.json", `rivet_conn_params.${params}`]));
			const rejectedOnTheWire = { close: await wire.closed(), messages: wire.messages.length };

			await bob.dispose();
			const members = await waitFor(
				async () => {
					const m = await alice.members();
					return m.left.includes("bob") && m;
				},
				{ timeoutMs: EVENT_TIMEOUT_MS, what: "bob's onDisconnect" },
			);
			return {
				aliceIs,
				bobIs,
				aliceSawJoined: [...joined.values],
				said,
				aliceSawMessages: [...messages.values],
				rejectedAction,
				rejectedOnError: malloryErrors[0],
				rejectedHttp,
				rejectedOnTheWire,
				members,
			};
		} finally {
			await alice.dispose();
			await bob?.dispose();
			await mallory?.dispose();
		}
	},

	// A UserError's group/code/message/metadata reach the client over HTTP and over a connection;
	// any other error is reported as internal without its message.
	async userErrors({ client, key }) {
		const handle = client.failing.getOrCreate([key, "failing"]);
		const http = await caught(handle.failUser("over http"));
		const conn = handle.connect();
		try {
			const overConn = await caught(conn.failUser("over a connection"));
			const internalHttp = await caught(handle.failInternal());
			const internalConn = await caught(conn.failInternal());
			const stillWorks = await conn.calls();
			return { http, overConn, internalHttp, internalConn, stillWorks };
		} finally {
			await conn.dispose();
		}
	},

	// Raw HTTP through onRequest: method, path, query, headers and body in; status, headers and
	// body (text, binary, large) out.
	async rawHttp({ client, key }) {
		const handle = client.raw.getOrCreate([key, "http"]);
		const echoHeaders = ["content-type", "x-echo-method", "x-echo-path", "x-echo-custom"];
		const text = await responseShape(
			await handle.fetch("echo?x=1&y=two", { method: "POST", body: "hello actor", headers: { "content-type": "text/plain", "x-custom": "custom value" } }),
			echoHeaders,
		);
		const put = await responseShape(await handle.fetch("echo", { method: "PUT", body: "{}", headers: { "content-type": "application/json" } }), echoHeaders);
		const binaryIn = Uint8Array.from({ length: 256 }, (_, i) => i);
		const binaryResponse = await handle.fetch("echo", { method: "POST", body: binaryIn });
		const binaryOut = new Uint8Array(await binaryResponse.arrayBuffer());
		const large = "0123456789abcdef".repeat(16 * 1024); // 256 KiB
		const largeResponse = await handle.fetch("echo", { method: "POST", body: large, headers: { "content-type": "text/plain" } });
		const largeOut = await largeResponse.text();
		const teapot = await responseShape(await handle.fetch("teapot"), ["x-teapot"]);
		const missing = await responseShape(await handle.fetch("no/such/path"), []);
		const status = await (await handle.fetch("status")).json();
		return {
			text,
			put,
			binary: { status: binaryResponse.status, equal: Buffer.from(binaryOut).equals(Buffer.from(binaryIn)) },
			large: { status: largeResponse.status, length: largeOut.length, equal: largeOut === large },
			teapot,
			missing,
			status,
		};
	},

	// Raw WebSocket through onWebSocket: the path and query reach the actor, text and binary
	// frames echo in order, and a close from the actor reaches the client with its code and reason.
	async rawWebSocket({ client, key }) {
		const handle = client.raw.getOrCreate([key, "ws"]);
		const { ws, watch } = await openSocket(handle, "chat/room?user=alice");
		await watch.until(1);
		for (const m of ["one", "two", "three"]) ws.send(m);
		ws.send(Uint8Array.from([1, 2, 3, 250]));
		await watch.until(5);
		ws.send("close-me");
		const close = await watch.closed();
		const status = await (await handle.fetch("status")).json();
		return { messages: [...watch.messages], close, status };
	},

	// A raw WebSocket (not hibernatable by default) is closed when its actor goes to sleep.
	async rawWebSocketClosedBySleep({ client, key, ...ctx }) {
		const handle = client.raw.getOrCreate([key, "ws-sleep"]);
		const { watch } = await openSocket(handle, "before-sleep");
		await watch.until(1);
		await handle.goToSleep();
		const close = await watch.closed();
		await waitAsleep({ client, key, ...ctx }, handle, "raw");
		return { messages: [...watch.messages], close };
	},

	// c.schedule.after fires its action while the actor is awake.
	async schedule({ client, key }) {
		const handle = client.scheduler.getOrCreate([key, "schedule"]);
		const conn = handle.connect();
		try {
			const fired = collect(conn, "fired");
			await conn.status();
			const scheduled = await conn.scheduleIn(300, "soon");
			await fired.until(1);
			return { scheduled, fired: [...fired.values], status: await conn.status() };
		} finally {
			await conn.dispose();
		}
	},

	// A schedule set just before c.sleep() wakes the sleeping actor by itself (the engine alarm),
	// without any request to it: the engine starts it again (a later connectable_ts) on its own.
	async scheduleWakesSleepingActor({ client, engine, namespace, key }) {
		const handle = client.scheduler.getOrCreate([key, "alarm"]);
		const before = await handle.status();
		const actorId = await handle.resolve();
		const startedAt = (await engine.getActor(namespace, actorId)).connectable_ts;
		await handle.scheduleThenSleep(2500, "alarm");
		// Polled without touching the actor; whether the sleep was seen in between does not matter.
		await waitFor(
			async () => {
				const a = await engine.getActor(namespace, actorId);
				return a.sleep_ts == null && a.connectable_ts != null && a.connectable_ts > startedAt;
			},
			{ timeoutMs: SLEEP_TIMEOUT_MS, what: "the alarm to wake the scheduler" },
		);
		const after = await waitFor(
			async () => {
				const s = await handle.status();
				return s.fired.length > 0 && s;
			},
			{ timeoutMs: EVENT_TIMEOUT_MS, what: "the scheduled action to run" },
		);
		return { before, after };
	},

	// c.sleep(): the actor stops, the next request wakes it, state survives.
	async sleepWake({ client, engine, namespace, key }) {
		const handle = client.sleeper.getOrCreate([key, "sleeper"]);
		const counts = [await handle.increment(3), await handle.increment(4)];
		await handle.goToSleep();
		await waitAsleep({ engine, namespace }, handle, "sleeper");
		const afterWake = await handle.status();
		const next = await handle.increment(1);
		return { counts, afterWake, next };
	},

	// The idle sleepTimeout (1 s on `drowsy`) puts an actor to sleep; state survives.
	async idleSleep({ client, engine, namespace, key }) {
		const handle = client.drowsy.getOrCreate([key, "drowsy"]);
		const count = await handle.increment(2);
		await waitAsleep({ engine, namespace }, handle, "drowsy");
		return { count, afterWake: await handle.status() };
	},

	// c.kv: text and binary values, batches, prefix and range listing (order, reverse, limit),
	// deletes, and the data still there after a sleep.
	async kv({ client, engine, namespace, key }) {
		const h = client.store.getOrCreate([key, "kv"]);
		for (const [k, v] of [["user:3", "carol"], ["user:1", "alice"], ["user:2", "bob"], ["item:1", "apple"], ["zeta", "last"]]) await h.put(k, v);
		await h.putBinary("blob", [0, 1, 2, 254, 255]);
		const result = {
			get: await h.get("user:1"),
			missing: await h.get("nobody"),
			many: await h.getMany(["user:2", "nobody", "zeta"]),
			binary: await h.getBinary("blob"),
			prefix: await h.list("user:"),
			prefixReverseLimit: await h.list("user:", { reverse: true, limit: 2 }),
			range: await h.listRange("item:", "user:2"),
		};
		await h.delete("user:2");
		await h.deleteRange("item:", "item:~");
		result.keysAfterDeletes = (await h.list("")).map(([k]) => k);
		result.usersAfterDeletes = await h.list("user:");
		await h.put("user:1", "alice2");
		await h.goToSleep();
		await waitAsleep({ engine, namespace }, h, "store");
		result.keysAfterSleep = (await h.list("")).map(([k]) => k);
		result.usersAfterSleep = await h.list("user:");
		result.binaryAfterSleep = await h.getBinary("blob");
		return result;
	},

	// A connection survives its actor's sleep (hibernatable): same connection id, no reopen or
	// close on the client, no onConnect/onDisconnect again, conn state kept, and the next call
	// over it wakes the actor and gets its answer and events.
	async hibernation({ client, engine, namespace, key }) {
		const handle = client.hibernating.getOrCreate([key, "hibernating"]);
		const conn = handle.connect();
		try {
			let opens = 0;
			let closes = 0;
			conn.onOpen(() => (opens += 1));
			conn.onClose(() => (closes += 1));
			const ticks = collect(conn, "tick");
			const before = [await conn.call(), await conn.call()];
			const connIdBefore = conn.connectionId;
			const statusBefore = await conn.status();
			await conn.goToSleep();
			await waitAsleep({ engine, namespace }, handle, "hibernating");
			const stayedConnected = conn.isConnected;
			const after = await conn.call();
			await ticks.until(3);
			const statusAfter = await conn.status();
			return {
				before,
				after,
				ticks: [...ticks.values],
				stayedConnected,
				sameConnectionId: conn.connectionId === connIdBefore && connIdBefore !== undefined,
				opens,
				closes,
				statusBefore,
				statusAfter,
			};
		} finally {
			await conn.dispose();
		}
	},
};

// Ids and timestamps out, so two runs compare equal.
export function normalise(value) {
	if (Array.isArray(value)) return value.map(normalise);
	if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
	if (typeof value === "string") return value.replace(/\b[0-9a-z]{30}\b/g, "<id>").replace(/#[0-9a-zA-Z-]{6,}\b/g, "#<ray>");
	return value;
}

export async function runScenario(name, ctx) {
	return normalise(await scenarios[name](ctx));
}
