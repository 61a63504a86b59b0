// The native module (tether.linux-x64-gnu.node), as the JavaScript façade in this folder sees it.
// It is internal: users get the `Runner` of index.d.ts, the API of @rivetkit/engine-runner 2.2.1.
//
// The native side owns the runner: the engine connection, commands, events, KV, the tunnel and
// the hibernation bookkeeping. JavaScript only builds WHATWG Request/Response objects, socket
// objects and the official API's shapes around it.
//
// Threading: everything here is called on the JavaScript thread, and every event arrives on it
// (through one thread-safe function per runner). Native threads never wait for JavaScript.
//
// Ids: gateway and request ids are ArrayBuffers of 4 bytes, as in the official runner.

export type NativeHeaders = Array<[string, string]>;

export interface NativeRunnerConfig {
  endpoint: string;
  token?: string;
  namespace: string;
  runnerName: string;
  totalSlots: number;
  version: number;
  /** Actor name -> its metadata as a JSON object string. */
  prepopulateActorNames: Record<string, string>;
  /** Runner metadata as a JSON object string, or "" for none. */
  metadataJson: string;
  /** PEM roots trusted for wss:// (Node's tls.rootCertificates plus NODE_EXTRA_CA_CERTS). */
  trustedRootsPem: string;
  /** "trace" | "debug" | "info" | "warn" | "error": records below it are not sent as events. */
  logLevel: string;
  /** Whether to send "log" events at all (a logger was configured). */
  logs: boolean;
}

export type NativeEvent =
  | { type: "connected"; runnerId: string; runnerLostThreshold: bigint; actorStopThreshold: bigint;
      serverlessDrainGracePeriod: bigint | null }
  | { type: "disconnected"; code: number; reason: string }
  /** The runner has stopped for good; the last event. error: null after shutdown. KV promises
   *  still waiting for the engine are rejected ("WebSocket connection closed during shutdown")
   *  before it is dispatched. */
  | { type: "stopped"; error: string | null }
  | { type: "log"; level: "trace" | "debug" | "info" | "warn" | "error"; msg: string; fields: Record<string, string> }
  /** Answer with finishStart(token, error). Requests and socket messages wait until then. */
  | { type: "actorStart"; token: number; actorId: string; generation: number; name: string; key: string | null;
      createTs: bigint; input: Uint8Array | null;
      hibernating: Array<{ gatewayId: ArrayBuffer; requestId: ArrayBuffer }> }
  /** Answer with finishStop(token). KV still works until then. Sent when the engine stops the
   *  actor or moves it (runner lost); not after a failed start (JavaScript ran onActorStop) and not
   *  when the runner itself stops (close, drain timeout, fatal error: "stopped" alone). */
  | { type: "actorStop"; token: number; actorId: string; generation: number }
  /** Answer with respond(token, ...). */
  | { type: "fetch"; token: number; actorId: string; gatewayId: ArrayBuffer; requestId: ArrayBuffer;
      method: string; path: string; headers: NativeHeaders; body: Uint8Array | null }
  /** Answer with decideOpen(token, ...). Messages for the socket wait until then. */
  | { type: "wsOpen"; token: number; actorId: string; socket: NativeSocket; path: string; headers: NativeHeaders }
  /** index: the client message's u16 index (already checked: no replays, no gaps). */
  | { type: "wsMessage"; actorId: string; socketId: string; data: string | Uint8Array; binary: boolean; index: number }
  /** The client closed (or the runner closed it: over its bounds, ws.message_index_skip). */
  | { type: "wsClose"; actorId: string; socketId: string; code: number; reason: string };

/** One tunneled WebSocket. Thread-safe on the native side; calls after close are ignored. */
export declare class NativeSocket {
  private constructor();
  /** 16 hex digits: gateway id then request id. Stable across hibernation. */
  readonly id: string;
  readonly gatewayId: ArrayBuffer;
  readonly requestId: ArrayBuffer;
  /** A string goes as a text frame, bytes as a binary frame. Over 20 MiB closes with 1009. */
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** Host-managed hibernation: the client's messages up to `index` are stored. */
  ack(index: number): void;
}

export interface NativeStoredSocket {
  gatewayId: ArrayBuffer;
  requestId: ArrayBuffer;
  /** The next index the runner sends with (HibernatingWebSocketMetadata.clientMessageIndex). */
  clientMessageIndex: number;
  /** The last client message index handled (HibernatingWebSocketMetadata.serverMessageIndex). */
  serverMessageIndex: number;
  path: string;
  headers: NativeHeaders;
}

export declare class NativeRunner {
  /** Throws TypeError naming the field for a bad config. No I/O until start(). */
  constructor(config: NativeRunnerConfig, onEvent: (event: NativeEvent) => void);
  /** Starts connecting. Throws if called twice. Keeps the Node event loop alive until "stopped". */
  start(): void;
  /** Drains: the engine stops (and moves) the actors, then the runner stops ("stopped"). */
  drain(): void;
  /** Ends at once: closes the engine connection, then "stopped" (no actorStop, as the official
   *  runner's shutdown(true)). */
  close(): void;
  /** After "connected"; undefined before. */
  readonly runnerId: string | undefined;
  /** base64(u16le 7 ‖ ToServerlessServerInit{runnerId, 7}); undefined before "connected". */
  serverlessInitPacket(): string | undefined;

  finishStart(token: number, error: string | null): void;
  finishStop(token: number): void;
  respond(token: number, status: number, headers: NativeHeaders, body: Uint8Array | null): void;
  /** accept false: the socket opens and closes at once with code/reason (the gateway needs the open). */
  decideOpen(token: number, accept: boolean, hibernatable: boolean, code: number, reason: string): void;

  // Actor operations: the synchronous ones return false for an actor not running here; KV
  // rejects with an Error that says so. The generation checks of the official API are the façade's.
  sleepActor(actorId: string): boolean;
  /** Intent stop: the engine applies the crash policy. */
  stopActor(actorId: string): boolean;
  /** Intent stop; the stop is reported as intended, so the engine destroys the actor. */
  destroyActor(actorId: string): boolean;
  /** ms since the epoch, or null to clear. */
  setAlarm(actorId: string, alarmTs: number | null): boolean;
  /** Host-managed restore (see Actor::RestoreWebSockets): a socket or null per entry. */
  restore(actorId: string, stored: NativeStoredSocket[]): Array<NativeSocket | null>;

  kvGet(actorId: string, keys: Uint8Array[]): Promise<Array<Uint8Array | null>>;
  kvList(actorId: string, query: { all: true } | { prefix: Uint8Array } | { start: Uint8Array; end: Uint8Array; exclusive: boolean },
         reverse: boolean, limit: number | null): Promise<Array<[Uint8Array, Uint8Array]>>;
  kvPut(actorId: string, entries: Array<[Uint8Array, Uint8Array]>): Promise<void>;
  kvDelete(actorId: string, keys: Uint8Array[]): Promise<void>;
  kvDeleteRange(actorId: string, start: Uint8Array, end: Uint8Array): Promise<void>;
  kvDrop(actorId: string): Promise<void>;
}
