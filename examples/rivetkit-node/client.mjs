// Calls the counter with RivetKit's own client: an action over HTTP, then a connection that
// receives the `newCount` events. RIVET_ENDPOINT and RIVET_NAMESPACE as for the server.
import { createClient } from "rivetkit/client";

const client = createClient({
  endpoint: process.env.RIVET_ENDPOINT ?? "http://127.0.0.1:6420",
  namespace: process.env.RIVET_NAMESPACE ?? "default",
  runnerName: process.env.RIVET_RUNNER ?? "default",
});
const counter = client.counter.getOrCreate(["room-1"]);
console.log("increment(5) ->", await counter.increment(5));

const conn = counter.connect();
const seen = new Promise((resolve) => conn.on("newCount", (count) => resolve(count)));
await conn.increment(1);
console.log("newCount event ->", await seen);
console.log("getCount() ->", await counter.getCount());
await conn.dispose();
