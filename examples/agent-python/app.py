#!/usr/bin/env python3
"""A Python web app (standard library only) that runs as Rivet actors behind `tether agent`.

Each actor is told apart by the x-rivet-actor-id header the agent adds. Its state lives in the
actor's durable KV, which the app reaches through the agent's sidecar API as JSON over HTTP
(`tether agent --sidecar-json`), so it survives the actor's sleep, a move to another agent and a
restart of this app.

    PORT=3001 TETHER_SIDECAR_URL=http://127.0.0.1:9464 python3 examples/agent-python/app.py

Routes:
    GET  /          the actor's identity and its counter
    POST /count     adds 1 to the actor's counter (kept in the actor's KV) and answers it
    POST /sleep     asks the agent to put the actor to sleep (it wakes on its next request)
"""
import base64
import json
import os
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SIDECAR_URL = os.environ.get("TETHER_SIDECAR_URL", "http://127.0.0.1:9464").rstrip("/")
COUNTER_KEY = b"count"


class SidecarError(Exception):
    """An error answer of the sidecar API: a gRPC code name (NOT_FOUND, ...) and a message."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code


def sidecar(method, request):
    """Calls a sidecar method (POST /sidecar/v1/<method>) and answers its response message."""
    call = urllib.request.Request(
        f"{SIDECAR_URL}/sidecar/v1/{method}",
        data=json.dumps(request).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(call, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        body = json.load(error)
        raise SidecarError(body.get("code"), body.get("message")) from None


def b64(data):
    """Bytes fields travel as base64 in the JSON mapping."""
    return base64.b64encode(data).decode()


def read_counter(actor_id):
    found = sidecar("KvGet", {"actor_id": actor_id, "keys": [b64(COUNTER_KEY)]})["entries"]
    return int(base64.b64decode(found[0]["value"])) if found else 0


def write_counter(actor_id, value):
    entry = {"key": b64(COUNTER_KEY), "value": b64(str(value).encode())}
    sidecar("KvPut", {"actor_id": actor_id, "entries": [entry]})


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/":
            return self.answer(404, {"error": "not found", "path": self.path})
        self.with_actor(lambda actor: {"actor": actor, "count": read_counter(actor["id"])})

    def do_POST(self):
        if self.path == "/count":
            # The agent sends an actor one request at a time, so read-then-write cannot race.
            def count(actor):
                value = read_counter(actor["id"]) + 1
                write_counter(actor["id"], value)
                return {"count": value}

            return self.with_actor(count)
        if self.path == "/sleep":

            def sleep(actor):
                sidecar("SleepActor", {"actor_id": actor["id"]})
                return {"sleeping": True}

            return self.with_actor(sleep)
        self.answer(404, {"error": "not found", "path": self.path})

    def with_actor(self, handle):
        actor = {
            "id": self.headers.get("x-rivet-actor-id"),
            "name": self.headers.get("x-rivet-actor-name"),
            "key": self.headers.get("x-rivet-actor-key"),
        }
        if not actor["id"]:
            return self.answer(400, {"error": "not behind tether agent: no x-rivet-actor-id"})
        try:
            self.answer(200, handle(actor))
        except SidecarError as error:
            self.answer(502, {"error": str(error)})

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass  # quiet: one line per request would drown the agent's own log


def main():
    server = ThreadingHTTPServer((os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "3001"))), Handler)
    host, port = server.server_address[:2]
    print(f"listening on http://{host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
