// @tether/engine-runner: host Rivet Actors in Node.js on tether's native C++ runner.
//
// A drop-in for the `Runner` of @rivetkit/engine-runner 2.2.1 (runner protocol v7): the same
// exports, members and callbacks, so rivetkit 2.2.1 apps run unchanged. The engine connection,
// reconnects, pings, command and event bookkeeping, KV transport and the tunnel run in native
// threads; your callbacks and every promise here run on the JavaScript thread, one event at a time
// as Node delivers them (a slow callback delays only what awaits it, never the engine connection).
//
// Hosting actors, in short:
//
//   import { Runner } from "@tether/engine-runner";
//   const runner = new Runner({
//     endpoint: "http://127.0.0.1:6420", namespace: "default", runnerName: "default",
//     version: 1, totalSlots: 100, prepopulateActorNames: { counter: { metadata: {} } },
//     onConnected() {}, onDisconnected(code, reason) {}, onShutdown() {},
//     async onActorStart(actorId, generation, config) { // load state: await runner.kvGet(actorId, [...])
//     },
//     async onActorStop(actorId, generation) { // save state: await runner.kvPut(actorId, [...])
//     },
//     async fetch(runner, actorId, gatewayId, requestId, request) { return new Response("hi"); },
//     async websocket(runner, actorId, ws, gatewayId, requestId, request, path, headers, hibernatable, restoring) {
//       ws.addEventListener("message", (event) => ws.send(event.data));
//     },
//     hibernatableWebSocket: { canHibernate: () => false },
//   });
//   await runner.start();            // connects in the background; onConnected follows
//   // ... on SIGTERM (yours to handle): await runner.shutdown(false);
//
// Requests reach an actor through the engine's gateway: `<engine>/gateway/<actorId>/<path>`.
//
// Differences from @rivetkit/engine-runner, all deliberate:
// - No signal handlers: the official runner drains on SIGTERM/SIGINT unless `noAutoShutdown`;
//   this one never touches signals (Node owns them). Call `shutdown(false)` from your handler.
// - `debugLatencyMs` is accepted and ignored. `logger` is per Runner (the official one is global).
// - `getPegboardWebSocketIfReady()` returns `{ readyState: 1 }` while connected (there is no
//   JavaScript WebSocket); `__sendToServer` throws; `pegboardUrl` has no `runner_key`.
// - After the runner stopped, KV calls, `restoreHibernatingRequests` and
//   `sendHibernatableWebSocketMessageAck` fail with `RunnerShutdownError`.
// - A `RunnerConfig` with a wrong field throws a `TypeError` naming it in the constructor.
// - The native addon loads when the first Runner is constructed, not on import.

/** The gateway's id of a tunneled request (4 bytes). */
export type GatewayId = ArrayBuffer;
/** The id of a tunneled request or WebSocket within its gateway (4 bytes). */
export type RequestId = ArrayBuffer;

/** Limits the engine sent when the runner connected (ms, as bigints). */
export interface ProtocolMetadata {
  /** How long the engine keeps this runner's actors after it lost the connection. */
  readonly runnerLostThreshold: bigint;
  /** How long an actor may take to stop before the engine gives up on it. */
  readonly actorStopThreshold: bigint;
  /** Serverless runners: how long a drain may take; null for normal runners. */
  readonly serverlessDrainGracePeriod: bigint | null;
}

/** A hibernating WebSocket the engine still holds open for an actor, at the actor's start. */
export interface HibernatingRequest {
  readonly gatewayId: GatewayId;
  readonly requestId: RequestId;
}

/**
 * What you persist for each hibernatable WebSocket (see `RunnerConfig.websocket`) and pass back
 * to `Runner.restoreHibernatingRequests` when the actor starts again.
 */
export interface HibernatingWebSocketMetadata {
  gatewayId: GatewayId;
  requestId: RequestId;
  /** Index of the next message the actor sends (u16). Persisting 0 is fine: the runner tracks it. */
  clientMessageIndex: number;
  /** `rivetMessageIndex` of the last client message the actor handled and persisted (u16). */
  serverMessageIndex: number;
  /** The `path` the socket was opened with. */
  path: string;
  /** The `headers` the socket was opened with. */
  headers: Record<string, string>;
}

/** A minimal pino-compatible logger: records are passed as `logger[level]({ msg, ...fields })`. */
export interface Logger {
  /** pino's level; the native runner sends only records at or above it ("silent": none). */
  level?: string;
  trace(obj: unknown, ...args: unknown[]): void;
  debug(obj: unknown, ...args: unknown[]): void;
  info(obj: unknown, ...args: unknown[]): void;
  warn(obj: unknown, ...args: unknown[]): void;
  error(obj: unknown, ...args: unknown[]): void;
  /** When present, `Runner.log` is `child({ runnerId })` once connected. */
  child?(bindings: Record<string, unknown>): Logger;
}

/** An actor's configuration, as the engine sent it at its start. */
export interface ActorConfig {
  /** The actor's name (its type, e.g. "counter"). */
  name: string;
  /** The key it was created with, if any. */
  key: string | null;
  /** Creation time, ms since the epoch. */
  createTs: bigint;
  /** The creation input, if any. */
  input: Uint8Array | null;
}

export interface KvListOptions {
  /** Descending key order. */
  reverse?: boolean;
  /** At most this many entries (a non-negative integer). */
  limit?: number;
}

export interface RunnerConfig {
  /** Where the runner's logs and the native runner's logs go. Without it only errors are printed (console.error). */
  logger?: Logger;
  /** Your app's version (u32); the engine moves actors to runners of the newest version. Not the protocol version. */
  version: number;
  /** The engine: http(s):// or ws(s):// URL, optionally with a path prefix. */
  endpoint: string;
  /** Sent to the engine with the connection. */
  token?: string;
  /** Overrides `endpoint` for the runner connection only. */
  pegboardEndpoint?: string;
  /** Accepted for compatibility; unused (as in the official runner). */
  pegboardRelayEndpoint?: string;
  /** The engine namespace. */
  namespace: string;
  /** Maximum number of actors on this runner (a positive integer). */
  totalSlots: number;
  /** The runner name actors are scheduled by (rivetkit's pool name). */
  runnerName: string;
  /** Actor names this runner hosts, each with JSON metadata shown by the engine. */
  prepopulateActorNames: Record<string, { metadata: Record<string, any> }>;
  /** Runner metadata (JSON) shown by the engine. */
  metadata?: Record<string, any>;
  /** The engine accepted the connection (again after each reconnect); `runnerId` and `getProtocolMetadata()` are set. */
  onConnected: () => void;
  /** The engine connection dropped; the runner reconnects by itself (until it stops). */
  onDisconnected: (code: number, reason: string) => void;
  /** The runner stopped for good (after `shutdown`, or a fatal error such as eviction or a rejected token). Called once. */
  onShutdown: () => void;

  /**
   * An HTTP request to an actor, through the gateway. The Request's URL is
   * `http://localhost<path>`; GET and HEAD have no body. The Response is read whole: a body over
   * 20 MiB, a throw or a rejection answers 500 "Internal Server Error" (text/plain); the
   * runner keeps serving. Headers go back one value per name (the last wins). Called only after
   * the actor's `onActorStart` resolved; requests to one actor may run concurrently.
   */
  fetch: (runner: Runner, actorId: string, gatewayId: GatewayId, requestId: RequestId, request: Request) => Promise<Response>;

  /**
   * A WebSocket to an actor, through the gateway (clients connect to
   * `<engine>/gateway/<actorId>/<path>` with subprotocol `rivet`).
   *
   * `ws` is a `VirtualWebSocket` (@rivetkit/virtual-websocket), as in the official runner:
   * `addEventListener`/`on*` for "open", "message", "close", "error"; `send(string |
   * ArrayBuffer | ArrayBufferView)` (at most 20 MiB; throws while CONNECTING); `close(code?,
   * reason?)`; `readyState`. Binary messages arrive as Node `Buffer`s; message events also
   * carry `rivetRequestId` and `rivetMessageIndex` (the client message's u16 index).
   *
   * Add listeners synchronously here. The engine opens the client's socket when this resolves,
   * then "open" fires; a throw refuses it (close 1011 "Server Error"); a `ws.close()` here refuses
   * it with your code. The request is a stand-in for the upgrade request: `http://actor<path>`
   * with your headers plus Upgrade/Connection. Persist `path` and `headers`, not the Request.
   *
   * When the actor stops, sockets that cannot hibernate get "close" (1000 "actor.stopped"); at
   * the runner's stop, 1000 "ws.tunnel_shutdown".
   *
   * Hibernatable sockets (`isHibernatable`, from `hibernatableWebSocket.canHibernate`) outlive
   * the actor's stops; the client stays connected and its next message wakes the actor. To use
   * them:
   * 1. persist `{ gatewayId, requestId, path, headers, serverMessageIndex }` here at once;
   * 2. on each "message", persist `event.rivetMessageIndex` (debounced is fine), then call
   *    `runner.sendHibernatableWebSocketMessageAck(gatewayId, requestId, index)`: the engine
   *    replays unacknowledged messages after a wake;
   * 3. on "close", remove the record;
   * 4. in `onActorStart`, load the records and call `runner.restoreHibernatingRequests`. The
   *    restored sockets come back through this callback with `isRestoringHibernatable` true,
   *    already OPEN (no "open" event).
   */
  websocket: (runner: Runner, actorId: string, ws: any, gatewayId: GatewayId, requestId: RequestId, request: Request,
    path: string, headers: Record<string, string>, isHibernatable: boolean, isRestoringHibernatable: boolean) => Promise<void>;

  hibernatableWebSocket: {
    /**
     * Whether a new WebSocket may outlive its actor's stops. Called synchronously before
     * `websocket`; a throw refuses the socket (1011).
     */
    canHibernate: (actorId: string, gatewayId: ArrayBuffer, requestId: ArrayBuffer, request: Request) => boolean;
  };

  /**
   * The engine started an actor here (new, woken from sleep, or moved from another runner). The
   * actor is in `runner.actors` already, so KV works here. Its requests and socket messages wait
   * until this resolves. Call `restoreHibernatingRequests` here if you use hibernatable sockets.
   * A throw or rejection stops the actor: `onActorStop` is called and the engine records the
   * error (its crash policy applies).
   */
  onActorStart: (actorId: string, generation: number, config: ActorConfig) => Promise<void>;

  /**
   * The engine stops the actor (sleep, destroy, drain, move, or the runner's shutdown). KV still
   * works until this resolves; then its sockets close and it leaves `runner.actors`. A throw is
   * logged and the stop goes on. The engine waits up to `actorStopThreshold` for it.
   */
  onActorStop: (actorId: string, generation: number) => Promise<void>;

  /** Accepted for compatibility; this runner never installs signal handlers. */
  noAutoShutdown?: boolean;
  /** Accepted for compatibility; ignored. */
  debugLatencyMs?: number;
}

/** Thrown or rejected with when work needs a runner that stopped. Message "Runner shut down". */
export declare class RunnerShutdownError extends Error {
  constructor();
}

/** An actor running on this runner (`Runner.actors`, `Runner.getActor`). */
export declare class RunnerActor {
  /** The WebSockets the engine held open for the actor when it started (see restoreHibernatingRequests). */
  hibernatingRequests: readonly HibernatingRequest[];
  actorId: string;
  /** Increases each time the actor starts again (wake, move). */
  generation: number;
  config: ActorConfig;
  /** The actor's open tunneled WebSockets; `ws` is an internal adapter, `ws.websocket` what `websocket` received. */
  webSockets: Array<{ gatewayId: GatewayId; requestId: RequestId; ws: { readonly websocket: any; readonly request: Request } }>;
  /** Settles with `onActorStart`. */
  actorStartPromise: { promise: Promise<void>; resolve: (value: void | PromiseLike<void>) => void; reject: (reason?: any) => void };
  /** Whether `restoreHibernatingRequests` ran for this start. */
  hibernationRestored: boolean;
  /** Set by `destroyActor`: the stop is intended, so the engine destroys the actor. */
  stopIntentSent: boolean;
  constructor(actorId: string, generation: number, config: ActorConfig, hibernatingRequests: readonly HibernatingRequest[]);
  getWebSocket(gatewayId: GatewayId, requestId: RequestId): { readonly websocket: any; readonly request: Request } | undefined;
  setWebSocket(gatewayId: GatewayId, requestId: RequestId, ws: { readonly websocket: any; readonly request: Request }): void;
  deleteWebSocket(gatewayId: GatewayId, requestId: RequestId): void;
}

export declare class Runner {
  /** Checks `config` (TypeError naming a bad field) and loads the native addon. No I/O, no thread, until `start()`. */
  constructor(config: RunnerConfig);
  /** The config given to the constructor. */
  get config(): RunnerConfig;
  /** The engine's id for this runner, set before `onConnected`; undefined until then. */
  runnerId?: string;
  /** `config.logger` (a child with `runnerId` once connected, when it has `child`). */
  get log(): Logger | undefined;

  /**
   * Starts connecting, in the background; resolves at once (before the connection: wait for
   * `onConnected`). Rejects on a second call ("Cannot call runner.start twice"). From now until
   * `onShutdown`, the runner keeps Node's event loop alive.
   */
  start(): Promise<void>;
  /**
   * Stops the runner. `immediate` false drains: the engine stops (and moves) every actor, each
   * through `onActorStop`, for up to 120 s, then the connection closes. `immediate` true closes
   * the connection at once, without `onActorStop` (the engine reschedules the actors after its
   * runner-lost threshold), as the official runner does. Resolves after `onShutdown` ran;
   * then nothing keeps Node's event loop alive. Another call returns at once (an immediate one
   * cuts a running drain short). `exit` true calls `process.exit(0)` after.
   */
  shutdown(immediate: boolean, exit?: boolean): Promise<void>;

  /** Sleeps the actor: the engine stops it (`onActorStop`) and starts it again on its next request or alarm. */
  sleepActor(actorId: string, generation?: number): void;
  /** Asks the engine to stop the actor; its crash policy decides what follows. Resolves once asked. */
  stopActor(actorId: string, generation?: number): Promise<void>;
  /** Stops the actor for good: the engine destroys it after `onActorStop`. */
  destroyActor(actorId: string, generation?: number): void;
  /** As `stopActor`, but resolves once the actor's stop finished here. */
  forceStopActor(actorId: string, generation?: number): Promise<void>;
  /** The running actor (with that generation, when given); undefined (and a warning) otherwise. */
  getActor(actorId: string, generation?: number): RunnerActor | undefined;
  /** As getActor, once its `onActorStart` resolved (rejects if it failed). */
  getAndWaitForActor(actorId: string, generation?: number): Promise<RunnerActor | undefined>;
  hasActor(actorId: string, generation?: number): boolean;
  /** The actors running here, by id (from `onActorStart` until their stop finished). */
  get actors(): Map<string, RunnerActor>;

  /** The engine's connection endpoint (`pegboardEndpoint` or `endpoint`). */
  get pegboardEndpoint(): string;
  /** The runner connection URL, without runner_key. */
  get pegboardUrl(): string;

  // KV: each actor's own key-value store in the engine. Keys and values are bytes. Calls on one
  // runner are sent in order; they work from `onActorStart` until `onActorStop` resolved, and are
  // held while the connection is down. After the runner stopped they reject with
  // RunnerShutdownError. The engine's limits apply (e.g. key and value sizes): a request over
  // them rejects with the engine's message.

  /** The values of `keys`, in the same order; null for a missing key. */
  kvGet(actorId: string, keys: Uint8Array[]): Promise<(Uint8Array | null)[]>;
  /** Every entry, in key order. */
  kvListAll(actorId: string, options?: KvListOptions): Promise<[Uint8Array, Uint8Array][]>;
  /** Entries with start <= key <= end (key < end when `exclusive`). */
  kvListRange(actorId: string, start: Uint8Array, end: Uint8Array, exclusive?: boolean, options?: KvListOptions): Promise<[Uint8Array, Uint8Array][]>;
  /** Entries whose key starts with `prefix`. */
  kvListPrefix(actorId: string, prefix: Uint8Array, options?: KvListOptions): Promise<[Uint8Array, Uint8Array][]>;
  /** Writes the entries, atomically. */
  kvPut(actorId: string, entries: [Uint8Array, Uint8Array][]): Promise<void>;
  kvDelete(actorId: string, keys: Uint8Array[]): Promise<void>;
  /** Deletes start <= key < end. */
  kvDeleteRange(actorId: string, start: Uint8Array, end: Uint8Array): Promise<void>;
  /** Deletes every entry of the actor. */
  kvDrop(actorId: string): Promise<void>;

  /** Wakes (starts) the actor at `alarmTs` (ms since the epoch) if it sleeps then; null clears it. One alarm per actor. */
  setAlarm(actorId: string, alarmTs: number | null, generation?: number): void;
  clearAlarm(actorId: string, generation?: number): void;

  /** `{ readyState: 1 }` while connected to the engine, else undefined. There is no JavaScript WebSocket. */
  getPegboardWebSocketIfReady(): { readonly readyState: 1 } | undefined;
  /** Not supported: throws (the native runner owns the engine connection). */
  __sendToServer(message: unknown): never;

  /**
   * The client's messages on a hibernatable socket up to `index` (u16) are persisted: the engine
   * will not replay them after a wake. Throws Error("Invalid websocket ack index") outside
   * 0..65535; an unknown socket is ignored.
   */
  sendHibernatableWebSocketMessageAck(gatewayId: ArrayBuffer, requestId: ArrayBuffer, index: number): void;
  /**
   * Brings back an actor's hibernatable WebSockets; call it once per start, from `onActorStart`,
   * with the metadata you persisted. Sockets the engine still holds and you listed come back
   * through `config.websocket` (restoring); listed ones the engine no longer holds get a socket
   * that closes with 1000 "ws.stale_metadata" right after `config.websocket` (so your close
   * listener removes the record); ones the engine holds but you did not list are closed.
   * Resolves when every `config.websocket` call settled. Rejects if the actor is not running
   * here or was already restored.
   */
  restoreHibernatingRequests(actorId: string, metaEntries: HibernatingWebSocketMetadata[]): Promise<void>;

  /**
   * Serverless: the base64 payload of the first SSE event of a `/start` response (it names this
   * runner to the engine); undefined until connected.
   */
  getServerlessInitPacket(): string | undefined;
  /** The engine's limits, from the last connection; undefined until connected. */
  getProtocolMetadata(): ProtocolMetadata | undefined;
}

/** Lower-case hex of an id's bytes (e.g. for logs). */
export declare function idToStr(id: ArrayBuffer): string;
