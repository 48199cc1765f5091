/**
 * Transports between visors, byte-compatible with Go skywire (2024): the `dmsg`, `stcp` and
 * `stcpr` types (`sudph` is not implemented), their handshakes, and the manager that keeps one
 * transport per peer and type and carries routing packets over it.
 *
 * ```ts
 * const manager = new TransportManager({
 *   keyPair,
 *   networks: [
 *     new DmsgNetwork(dmsgClient),                                   // dmsg port 45
 *     createStcprNetwork({ keyPair, resolver: arClient, port: 7777 }), // AR-resolved TCP
 *     createStcpNetwork({ keyPair, pkTable, listeningAddress: ":7778" }),
 *   ],
 *   registry: tpdClient,                 // TransportRegistry: register / deregister
 *   persistent: [{ pk: peer, type: "stcpr" }],
 *   onPacket: (packet, transport) => router.handle(packet, transport),
 * });
 * await manager.start();                 // listen on port 45 of every network
 * const tp = await manager.saveTransport(peer, "dmsg");
 * await tp.writePacket({ type: PacketType.Data, routeId, payload });
 * const rttMs = await tp.ping();
 * tp.info();                             // id, type, label, keys, isUp, counters, latency
 * await manager.deleteTransport(tp.id);
 * await manager.close();
 * ```
 *
 * **Wire.** A TCP transport is: the network handshake ({@linkcode initiatorHandshake} /
 * {@linkcode responderHandshake}: `get_nonce`, the nonce JSON, a signed Frame2, `{"OK":…}`),
 * then Noise KK ({@linkcode encryptStream}, dmsg's framing). A dmsg transport is a dmsg stream
 * to port 45. Both then run the settlement ({@linkcode initiateSettlement} /
 * {@linkcode respondSettlement}: the signed entry, countersigned by the accepting side, which
 * registers it, and a one-byte result), then routing packets back to back. Every read is
 * bounded in size and time; every failure is a typed error with the connection closed.
 *
 * **Behaviour.** {@linkcode ManagedTransport} answers TransportPing with TransportPong (Go
 * 2026; Go 2024 peers ignore both), counts payload bytes both ways (pings included), applies
 * the glare rule (the lower key's dial wins), and on a lost connection closes (Go 2024) unless
 * persistent, when it redials with capped backoff. {@linkcode TransportManager} installs
 * connections with a last synchronous re-check (a live transport is never replaced) and
 * removes map entries only when they still hold the same transport.
 *
 * **Services.** The transport discovery and address resolver are reached through the
 * {@linkcode TransportRegistry} and {@linkcode AddressResolver} interfaces;
 * {@linkcode KeptBinding} repeats the stcpr binding so it outlives the resolver's expiry.
 *
 * @module
 */
export {
  ENCRYPT_HANDSHAKE_TIMEOUT_MS,
  GET_NONCE,
  HANDSHAKE_NONCE_SIZE,
  MAX_HANDSHAKE_LINE,
  MIN_EPHEMERAL_PORT,
  NETWORK_HANDSHAKE_TIMEOUT_MS,
  REFRESH_JITTER,
  SETTLEMENT_TIMEOUT_MS,
  SettlementResult,
  STCPR_BIND_REFRESH_MS,
  TRANSPORT_HEARTBEAT_INTERVAL_MS,
  TRANSPORT_PING_INTERVAL_MS,
  TRANSPORT_PORT,
  TransportLabel,
  TransportType,
} from "./constants.ts";
export {
  AddressNotFoundError,
  MalformedFrameError,
  NetworkHandshakeError,
  PingTimeoutError,
  SettlementError,
  TransportClosedError,
  TransportDownError,
  TransportEntryError,
  TransportError,
  UnknownNetworkError,
} from "./errors.ts";
export type { NetworkHandshakeStep, SettlementStep } from "./errors.ts";
export {
  decodeEntry,
  decodeSignedEntry,
  decodeSignedEntryList,
  edgeIndex,
  encodeEntry,
  encodeSignedEntry,
  entryMismatch,
  entryToBinary,
  makeEntry,
  newSignedEntry,
  parseTransportId,
  remoteEdge,
  signEntry,
  verifyEntrySignature,
} from "./entry.ts";
export type { SignedTransportEntry, TransportEntry } from "./entry.ts";
export {
  decodeFrame1,
  decodeFrame2,
  decodeFrame3,
  encodeFrame1,
  encodeFrame2,
  encodeFrame3,
  signFrame2,
  verifyFrame2,
} from "./handshake_frames.ts";
export type { Frame2, Frame3 } from "./handshake_frames.ts";
export { initiatorHandshake, responderHandshake } from "./network_handshake.ts";
export type {
  InitiatorHandshakeOptions,
  NetworkHandshakeResult,
  ResponderHandshakeOptions,
} from "./network_handshake.ts";
export { encryptStream } from "./encrypt.ts";
export type { EncryptStreamOptions } from "./encrypt.ts";
export { initiateSettlement, respondSettlement } from "./settlement.ts";
export type { InitiateSettlementOptions, RespondSettlementOptions } from "./settlement.ts";
export type { AddressResolver, ResolvedAddress, TransportRegistry } from "./registry.ts";
export { AddressResolverClient, decodeVisorData } from "./ar_client.ts";
export type { AddressResolverClientOptions } from "./ar_client.ts";
export { KeptBinding } from "./kept_binding.ts";
export type { KeptBindingOptions, UnbindingResolver } from "./kept_binding.ts";
export type {
  NetworkDialOptions,
  TransportConn,
  TransportListener,
  TransportNetwork,
} from "./network.ts";
export { ConnListener } from "./conn_listener.ts";
export type { ConnListenerOptions } from "./conn_listener.ts";
export { TcpNetwork } from "./tcp_network.ts";
export type { TcpListenAddress, TcpNetworkOptions } from "./tcp_network.ts";
export { TcpTransportConn } from "./tcp_conn.ts";
export type { TcpTransportConnInit } from "./tcp_conn.ts";
export { createStcpNetwork } from "./stcp.ts";
export type { StcpNetworkOptions } from "./stcp.ts";
export { createStcprNetwork, localInterfaceAddresses, stcprCandidates } from "./stcpr.ts";
export type { StcprNetworkOptions } from "./stcpr.ts";
export { DmsgNetwork } from "./dmsg_network.ts";
export type { DmsgTransportClient } from "./dmsg_network.ts";
export { ManagedTransport } from "./managed_transport.ts";
export type {
  ManagedTransportInit,
  PacketHandler,
  TransportCounters,
  TransportInfo,
} from "./managed_transport.ts";
export type { LatencyStats } from "./latency.ts";
export { TransportManager } from "./manager.ts";
export type {
  PersistentTransport,
  SaveTransportOptions,
  TransportManagerOptions,
  TransportManagerStats,
} from "./manager.ts";
export type { BackoffOptions } from "../lifecycle/mod.ts";
export { decodeEntryList, TransportDiscoveryClient } from "./tpd_client.ts";
export type { TransportDiscoveryClientOptions } from "./tpd_client.ts";
