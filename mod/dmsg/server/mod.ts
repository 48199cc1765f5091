/**
 * The dmsg relay server (Go `dmsg-server`): accepts client sessions (Noise XK + yamux), relays
 * end-to-end encrypted streams between its clients without reading them, forwards requests
 * one hop to peer servers (the mesh), answers streams addressed to its own key through
 * {@linkcode DmsgServer.listen} (e.g. dmsg HTTP on port 80), and keeps its server entry with
 * `availableSessions` current in the discovery.
 *
 * ```ts
 * const server = await startDmsgServer({ pk, sk, addr: "127.0.0.1:0", discovery: url });
 * const health = server.listen(80); // streams to <server pk>:80
 * await server.close();
 * ```
 *
 * @module
 */
export { startDmsgServer } from "./server.ts";
export type { DmsgServer } from "./server.ts";
export {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_MAX_SESSIONS_PER_ADDRESS,
  MAX_BUFFERED_BYTES_PER_SESSION,
  MAX_PENDING_STREAMS,
  MAX_PENDING_STREAMS_PER_SESSION,
  MAX_RELAYED_STREAMS,
  MAX_SESSION_HANDSHAKES,
  MAX_SESSION_HANDSHAKES_PER_ADDRESS,
  MAX_STREAMS_PER_SESSION,
  SERVER_UPDATE_INTERVAL_MS,
} from "./options.ts";
export type { DmsgServerOptions } from "./options.ts";
export { PEER_RECONNECT_BASE_MS, PEER_RECONNECT_FACTOR } from "./peers.ts";
export type { PeerConfig } from "./peers.ts";
export { publicAddressFor } from "./public_address.ts";
export { relayStream } from "./relay.ts";
export type { RelayContext } from "./relay.ts";
