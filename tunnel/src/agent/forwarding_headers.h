// The header rules of forwarding between the engine's gateway and the upstream app: which headers
// cross (hop-by-hop ones and client-sent x-rivet-* do not) and which the agent adds (the actor's
// identity). Shared by HTTP and WebSocket forwarding.
//
// Threading: pure functions.
#ifndef TETHER_TUNNEL_AGENT_FORWARDING_HEADERS_H_
#define TETHER_TUNNEL_AGENT_FORWARDING_HEADERS_H_

#include <string>
#include <string_view>

#include "tether/actor.h"
#include "tether/http.h"

namespace tether::agent {

// Request headers for the upstream: `client` without hop-by-hop headers (RFC 9110 section
// 7.6.1: Connection, those it names, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade,
// Proxy-*), Host, Content-Length (recomputed), Expect, the client's WebSocket handshake headers
// (Sec-WebSocket-*), and every x-rivet-* header, which only the agent sets: then
// x-rivet-actor-id, -name, -key (if the actor has one), -generation and x-forwarded-host.
HttpHeaders UpstreamRequestHeaders(const HttpHeaders& client, const ActorInfo& actor);

// Response headers for the client: `upstream` without hop-by-hop headers and Content-Length
// (the runner sets it for the whole body).
HttpHeaders ClientResponseHeaders(const HttpHeaders& upstream);

// The subprotocols a client offered in `client` (Sec-WebSocket-Protocol) other than the
// gateway's own (`rivet`, `rivet_*`, which can carry the engine token), comma-separated.
std::string UpstreamSubprotocols(const HttpHeaders& client);

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_FORWARDING_HEADERS_H_
