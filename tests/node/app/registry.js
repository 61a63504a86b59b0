// A rivetkit 2.2.1 app exercising what users rely on, for the runner tests (plain JS ESM, no
// build step). Run it as a runner with serve.mjs or behind a serverless endpoint with
// serverless.mjs; either way rivetkit's engine driver hosts these actors through whatever
// `@rivetkit/engine-runner` resolves to (the runner seam, ../seam/register.mjs).
import { actor, event, setup, UserError } from "rivetkit";

// State, actions and broadcast events.
export const counter = actor({
	state: { count: 0 },
	events: { newCount: event() },
	actions: {
		increment: (c, amount) => {
			c.state.count += amount;
			c.broadcast("newCount", c.state.count);
			return c.state.count;
		},
		getCount: (c) => c.state.count,
	},
});

// Input and key: createState gets the creation input; c.key and c.name are the actor's; c.destroy()
// ends the actor for good.
export const greeter = actor({
	createState: (_c, input) => ({ greeting: input?.greeting ?? "hello", punctuation: input?.punctuation ?? "." }),
	actions: {
		greet: (c, name) => `${c.state.greeting} ${name}${c.state.punctuation}`,
		// The first key part is the test run's unique prefix.
		identity: (c) => ({ name: c.name, key: c.key.slice(1) }),
		destroyMe: (c) => {
			c.destroy();
			return true;
		},
	},
});

// Connections with params: onBeforeConnect rejects a wrong password with a user error,
// createConnState keeps the caller's name, onConnect/onDisconnect are recorded in state.
export const room = actor({
	state: { joined: [], left: [] },
	events: { joined: event(), message: event() },
	onBeforeConnect: (_c, params) => {
		if (params?.password !== "letmein") {
			throw new UserError("wrong password", { code: "bad_password", metadata: { hint: "letmein" } });
		}
	},
	createConnState: (_c, params) => ({ name: params.name }),
	onConnect: (c, conn) => {
		c.state.joined.push(conn.state.name);
		c.broadcast("joined", conn.state.name);
	},
	onDisconnect: (c, conn) => {
		c.state.left.push(conn.state.name);
	},
	actions: {
		whoAmI: (c) => c.conn.state.name,
		say: (c, text) => {
			c.broadcast("message", { from: c.conn.state.name, text });
			return text.length;
		},
		members: (c) => ({ joined: [...c.state.joined], left: [...c.state.left] }),
	},
});

// Errors: a UserError keeps its group/code/message/metadata; anything else is internal.
export const failing = actor({
	state: { calls: 0 },
	actions: {
		failUser: (c, why) => {
			c.state.calls += 1;
			throw new UserError(`refused: ${why}`, { code: "refused", metadata: { why, calls: c.state.calls } });
		},
		failInternal: () => {
			throw new Error("secret internal detail");
		},
		calls: (c) => c.state.calls,
	},
});

// Raw HTTP (onRequest) and raw WebSocket (onWebSocket) handlers.
export const raw = actor({
	state: { requests: 0, sockets: 0 },
	onRequest: async (c, request) => {
		c.state.requests += 1;
		const url = new URL(request.url);
		if (url.pathname === "/echo") {
			const body = new Uint8Array(await request.arrayBuffer());
			return new Response(body, {
				status: 200,
				headers: {
					"content-type": request.headers.get("content-type") ?? "application/octet-stream",
					"x-echo-method": request.method,
					"x-echo-path": `${url.pathname}${url.search}`,
					"x-echo-custom": request.headers.get("x-custom") ?? "",
				},
			});
		}
		if (url.pathname === "/status") {
			return Response.json({ requests: c.state.requests, sockets: c.state.sockets });
		}
		if (url.pathname === "/teapot") {
			return new Response("short and stout", { status: 418, headers: { "x-teapot": "yes" } });
		}
		return new Response("no such path", { status: 404 });
	},
	onWebSocket: (c, websocket) => {
		c.state.sockets += 1;
		const url = new URL(c.request?.url ?? "ws://actor/");
		websocket.send(`hello ${url.pathname}${url.search}`);
		websocket.addEventListener("message", (event) => {
			if (typeof event.data === "string") {
				if (event.data === "close-me") websocket.close(4001, "asked to close");
				else websocket.send(`echo:${event.data}`);
			} else {
				// Binary frames come back reversed.
				const bytes = new Uint8Array(event.data);
				websocket.send(bytes.slice().reverse());
			}
		});
	},
	actions: {
		goToSleep: (c) => {
			c.sleep();
			return true;
		},
	},
});

// c.schedule.after: fires an action later, also after the actor went to sleep (the engine alarm
// wakes it).
export const scheduler = actor({
	state: { fired: [], wakes: 0, sleeps: 0 },
	events: { fired: event() },
	onWake: (c) => {
		c.state.wakes += 1;
	},
	onSleep: (c) => {
		c.state.sleeps += 1;
	},
	actions: {
		scheduleIn: (c, delayMs, tag) => {
			c.schedule.after(delayMs, "onFire", tag);
			return true;
		},
		scheduleThenSleep: (c, delayMs, tag) => {
			c.schedule.after(delayMs, "onFire", tag);
			c.sleep();
			return true;
		},
		onFire: (c, tag) => {
			c.state.fired.push(tag);
			c.broadcast("fired", tag);
		},
		status: (c) => ({ fired: [...c.state.fired], wakes: c.state.wakes, sleeps: c.state.sleeps }),
	},
});

// Sleep and wake: an explicit c.sleep() and the idle sleepTimeout; state survives both.
function sleepyDefinition(options) {
	return actor({
		state: { count: 0, sleeps: 0, wakes: 0 },
		onWake: (c) => {
			c.state.wakes += 1;
		},
		onSleep: (c) => {
			c.state.sleeps += 1;
		},
		actions: {
			increment: (c, amount) => {
				c.state.count += amount;
				return c.state.count;
			},
			goToSleep: (c) => {
				c.sleep();
				return true;
			},
			status: (c) => ({ count: c.state.count, sleeps: c.state.sleeps, wakes: c.state.wakes }),
		},
		options,
	});
}
export const sleeper = sleepyDefinition({});
export const drowsy = sleepyDefinition({ sleepTimeout: 1000 });

// The actor's KV (c.kv): text and binary values, prefix and range listing, deletes.
export const store = actor({
	actions: {
		put: async (c, key, value) => {
			await c.kv.put(key, value);
			return true;
		},
		putBinary: async (c, key, bytes) => {
			await c.kv.put(key, new Uint8Array(bytes), { type: "binary" });
			return true;
		},
		get: async (c, key) => c.kv.get(key),
		getBinary: async (c, key) => {
			const value = await c.kv.get(key, { type: "binary" });
			return value === null ? null : Array.from(value);
		},
		getMany: async (c, keys) => c.kv.getBatch(keys),
		list: async (c, prefix, options) => c.kv.list(prefix, { keyType: "text", ...options }),
		listRange: async (c, start, end, options) => c.kv.listRange(start, end, { keyType: "text", ...options }),
		delete: async (c, key) => {
			await c.kv.delete(key);
			return true;
		},
		deleteRange: async (c, start, end) => {
			await c.kv.deleteRange(start, end);
			return true;
		},
		goToSleep: (c) => {
			c.sleep();
			return true;
		},
	},
});

// A connection (hibernatable on the engine driver) that must outlive the actor's sleep: its
// conn state, id and subscriptions stay, and no onConnect/onDisconnect runs again.
export const hibernating = actor({
	state: { sleeps: 0, wakes: 0, connects: 0, disconnects: 0 },
	events: { tick: event() },
	createConnState: () => ({ calls: 0 }),
	onWake: (c) => {
		c.state.wakes += 1;
	},
	onSleep: (c) => {
		c.state.sleeps += 1;
	},
	onConnect: (c) => {
		c.state.connects += 1;
	},
	onDisconnect: (c) => {
		c.state.disconnects += 1;
	},
	actions: {
		call: (c) => {
			c.conn.state.calls += 1;
			c.broadcast("tick", c.conn.state.calls);
			return c.conn.state.calls;
		},
		goToSleep: (c) => {
			c.sleep();
			return true;
		},
		status: (c) => ({
			sleeps: c.state.sleeps,
			wakes: c.state.wakes,
			connects: c.state.connects,
			disconnects: c.state.disconnects,
			conns: c.conns.size,
		}),
	},
});

export const registry = setup({
	use: { counter, greeter, room, failing, raw, scheduler, sleeper, drowsy, store, hibernating },
	noWelcome: true,
});
