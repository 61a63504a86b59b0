// What each scenario of scenarios.mjs observes with the OFFICIAL @rivetkit/engine-runner 2.2.1,
// rivetkit 2.2.1 and rivet-engine 2.3.19 (recorded from it and checked on every run of
// app.test.mjs and differential.test.mjs). A drop-in runner must give exactly these.
import { RUNNER_NAME, RUNNER_VERSION, TOTAL_SLOTS } from "./stack.mjs";

const ACTOR_NAMES = ["counter", "drowsy", "failing", "greeter", "hibernating", "raw", "room", "scheduler", "sleeper", "store"];
const INTERNAL_ERROR = { thrown: true, group: "rivetkit", code: "internal_error", message: "Internal error. Read the server logs for more details.", metadata: {} };

export const expected = {
	registration: {
		runners: [{ name: RUNNER_NAME, version: RUNNER_VERSION, total_slots: TOTAL_SLOTS, metadata: { rivetkit: { version: "2.2.1" } }, drain_ts: null, stop_ts: null }],
		actorNames: Object.fromEntries(ACTOR_NAMES.map((n) => [n, { metadata: {} }])),
	},

	actions: { returns: [5, 3, 13], sameKeyAgain: 13, otherKey: [0, 1], viaGet: 13 },

	parallel: {
		answers: Array.from({ length: 8 }, () => Array.from({ length: 12 }, (_, i) => i + 1)),
		finals: Array.from({ length: 8 }, () => 12),
	},

	inputAndDestroy: {
		greeted: "hi bob!",
		identity: { name: "greeter", key: ["g1", "x/y"] },
		createdGreets: "hey ann.",
		withoutInput: "hello cy.",
		destroyed: true,
		getAfterDestroy: {
			thrown: true,
			group: "actor",
			code: "not_found",
			message: 'Actor not found: greeter:["<key>","g1","x/y"] (https://www.rivet.dev/docs/clients/javascript)',
			metadata: null,
		},
		recreated: "hello bob.",
		recreatedIsNew: true,
	},

	events: { returns: [1, 3, 6], conn1: [1, 3, 6], conn2: [1, 3, 6] },

	connParams: {
		aliceIs: "alice",
		bobIs: "bob",
		aliceSawJoined: ["bob"],
		said: 8,
		aliceSawMessages: [{ from: "bob", text: "hi alice" }],
		// Over a connection the rejection arrives as the WebSocket's close reason "group.code": the
		// message and metadata are not carried.
		rejectedAction: { thrown: true, group: "user", code: "bad_password", message: "Connection closed: user.bad_password", metadata: null },
		rejectedOnError: { thrown: true, group: "user", code: "bad_password", message: "Connection closed: user.bad_password", metadata: null },
		rejectedHttp: { thrown: true, group: "user", code: "bad_password", message: "wrong password", metadata: { hint: "letmein" } },
		// On the wire: the actor accepts the WebSocket and closes it with 1011 "group.code".
		rejectedOnTheWire: { close: { code: 1011, reason: "user.bad_password", wasClean: true }, messages: 0 },
		members: { joined: ["alice", "bob"], left: ["bob"] },
	},

	userErrors: {
		http: { thrown: true, group: "user", code: "refused", message: "refused: over http", metadata: { why: "over http", calls: 1 } },
		overConn: { thrown: true, group: "user", code: "refused", message: "refused: over a connection", metadata: { why: "over a connection", calls: 2 } },
		internalHttp: INTERNAL_ERROR,
		internalConn: INTERNAL_ERROR,
		stillWorks: 2,
	},

	rawHttp: {
		text: {
			status: 200,
			headers: { "content-type": "text/plain", "x-echo-method": "POST", "x-echo-path": "/echo?x=1&y=two", "x-echo-custom": "custom value" },
			body: "hello actor",
		},
		put: { status: 200, headers: { "content-type": "application/json", "x-echo-method": "PUT", "x-echo-path": "/echo", "x-echo-custom": "" }, body: "{}" },
		binary: { status: 200, equal: true },
		large: { status: 200, length: 262144, equal: true },
		teapot: { status: 418, headers: { "x-teapot": "yes" }, body: "short and stout" },
		missing: { status: 404, headers: {}, body: "no such path" },
		status: { requests: 7, sockets: 0 },
	},

	rawWebSocket: {
		// The actor's c.request.url keeps rivetkit's /websocket prefix.
		messages: ["hello /websocket/chat/room?user=alice", "echo:one", "echo:two", "echo:three", [250, 3, 2, 1]],
		close: { code: 4001, reason: "asked to close", wasClean: true },
		status: { requests: 1, sockets: 1 },
	},

	rawWebSocketClosedBySleep: { messages: ["hello /websocket/before-sleep"], close: { code: 1000, reason: "", wasClean: true } },

	schedule: { scheduled: true, fired: ["soon"], status: { fired: ["soon"], wakes: 1, sleeps: 0 } },

	scheduleWakesSleepingActor: { before: { fired: [], wakes: 1, sleeps: 0 }, after: { fired: ["alarm"], wakes: 2, sleeps: 1 } },

	sleepWake: { counts: [3, 7], afterWake: { count: 7, sleeps: 1, wakes: 2 }, next: 8 },

	idleSleep: { count: 2, afterWake: { count: 2, sleeps: 1, wakes: 2 } },

	kv: {
		get: "alice",
		missing: null,
		many: ["bob", null, "last"],
		binary: [0, 1, 2, 254, 255],
		prefix: [["user:1", "alice"], ["user:2", "bob"], ["user:3", "carol"]],
		prefixReverseLimit: [["user:3", "carol"], ["user:2", "bob"]],
		range: [["item:1", "apple"], ["user:1", "alice"]],
		keysAfterDeletes: ["blob", "user:1", "user:3", "zeta"],
		usersAfterDeletes: [["user:1", "alice"], ["user:3", "carol"]],
		keysAfterSleep: ["blob", "user:1", "user:3", "zeta"],
		usersAfterSleep: [["user:1", "alice2"], ["user:3", "carol"]],
		binaryAfterSleep: [0, 1, 2, 254, 255],
	},

	hibernation: {
		before: [1, 2],
		after: 3,
		ticks: [1, 2, 3],
		stayedConnected: true,
		sameConnectionId: true,
		opens: 1,
		closes: 0,
		statusBefore: { sleeps: 0, wakes: 1, connects: 1, disconnects: 0, conns: 1 },
		statusAfter: { sleeps: 1, wakes: 2, connects: 1, disconnects: 0, conns: 1 },
	},
};
