/** Size of a packet header: `type(1) ‖ routeID(4 BE) ‖ payloadLen(2 BE)` (Go `PacketHeaderSize`). */
export const PACKET_HEADER_SIZE = 7;

/** Largest payload a packet can carry: the length field is a uint16 (Go `math.MaxUint16`). */
export const MAX_PACKET_PAYLOAD = 0xffff;

/** Largest packet on the wire: header plus the largest payload. */
export const MAX_PACKET_SIZE: number = PACKET_HEADER_SIZE + MAX_PACKET_PAYLOAD;

/**
 * Packet types (Go `routing.PacketType`). Go 2024 defines 0–6; the 2026 code adds 7–19. A
 * decoder passes every type byte through; these names cover the types known to either.
 */
export const PacketType = {
  /** Route-group data; payload is opaque (a 4-byte BE sequence prefix when mux is on, 2026). */
  Data: 0,
  /** Route-group close; payload is one {@linkcode CloseCode} byte. */
  Close: 1,
  /** Keeps a route's rules alive; empty payload. */
  KeepAlive: 2,
  /** Route-group handshake: encryption flag (1) ‖ capabilities uint16 LE (2026, optional). */
  Handshake: 3,
  /** Latency probe: timestamp uint64 BE ‖ throughput uint64 BE. */
  Ping: 4,
  /** Latency reply: echoed timestamp uint64 BE ‖ 8 bytes Go leaves zero. */
  Pong: 5,
  /** Route-group error; payload is the error text. */
  Error: 6,
  /** Selective ack (2026): lastContiguousSeq(4) ‖ nWords(1) ‖ words(8·n). */
  SACK: 7,
  /** Transport-level ping (2026), route id 0, payload unix-nano timestamp (8). */
  TransportPing: 8,
  /** Transport-level pong (2026), route id 0, echoed timestamp (8). */
  TransportPong: 9,
  /** Cascade route setup (2026), route id 0. */
  CascadeSetup: 10,
  /** Cascade route setup ack (2026), route id 0. */
  CascadeAck: 11,
  /** DHT message over a transport (2026), route id 0. */
  DHT: 12,
  /** Setup-node RPC relayed as a virtual stream (2026), route id 0. */
  SetupRPC: 13,
  /** Visor RPC as a virtual stream (2026), route id 0. */
  VisorRPC: 14,
  /** Skynet port forwarding as a virtual stream (2026), route id 0. */
  SkynetForward: 15,
  /** App direct dial as a virtual stream (2026), route id 0. */
  AppDirect: 16,
  /** AEAD-sealed datagram without sequence number (2026), route id > 0. */
  Datagram: 17,
  /** Bandwidth probe (2026), route id 0: probeID(4) ‖ seq(2) ‖ total(2) ‖ padding. */
  TransportBwProbe: 18,
  /** Bandwidth probe ack (2026), route id 0: probeID(4) ‖ estBps(8). */
  TransportBwAck: 19,
} as const;

/** A packet type byte (0–255); named values are in {@linkcode PacketType}. */
export type PacketType = number;

/** Close codes carried by a Close packet (Go `routing.CloseCode`). */
export const CloseCode = {
  /** The visor asked to close the route group. */
  Requested: 0,
  /** One mux leg retired; the group stays (2026; older visors close the whole group). */
  LegRetired: 1,
} as const;

/** A close code byte; named values are in {@linkcode CloseCode}. */
export type CloseCode = number;

/** Handshake capability bits (2026, little-endian uint16 at payload bytes 1–2). */
export const Capability = {
  /** Route multiplexing: sequenced Data packets. */
  Mux: 1,
  /** SACK retransmission. */
  SACK: 2,
  /** Cascade route setup. */
  Cascade: 4,
} as const;

/** Most words a SACK bitmap may carry: 32 × 64 covers the 2048-packet mux reorder window (Go). */
export const SACK_MAX_WORDS = 32;

/** Total on-wire size of one bandwidth-probe packet, header included (Go, 2026). */
export const TRANSPORT_BW_PROBE_SIZE = 1400;

/** Size of a rule's header: keepAlive(8 BE, ns) ‖ type(1) ‖ keyRouteID(4 BE). */
export const RULE_HEADER_SIZE = 13;

/** Size of a route descriptor: srcPK(33) ‖ dstPK(33) ‖ srcPort(2 BE) ‖ dstPort(2 BE). */
export const ROUTE_DESCRIPTOR_SIZE = 70;

/** Rule types (Go `routing.RuleType`; Go 2024 calls Consume `RuleReverse`). */
export const RuleType = {
  /** Last hop: packets are consumed locally by a route group. */
  Consume: 0,
  /** First hop: packets from a local route group go out to a transport. */
  Forward: 1,
  /** Middle hop: packets are relayed to the next transport. */
  IntermediaryForward: 2,
} as const;

/** One of the {@linkcode RuleType} values. */
export type RuleType = typeof RuleType[keyof typeof RuleType];

/**
 * Canonical rule sizes as Go allocates them. Forward and IntermediaryForward reserve 33 bytes
 * (a PubKey's size) for the 16-byte transport id, so each ends in 17 zero bytes.
 */
export const RULE_SIZE = {
  [RuleType.Consume]: 83,
  [RuleType.Forward]: 120,
  [RuleType.IntermediaryForward]: 50,
} as const;

/** How often Go sweeps idle rules: 10 s in 2026 (`DefaultRulesGCInterval`; it was 5 s in 2024). */
export const DEFAULT_RULES_GC_INTERVAL_MS = 10_000;

/** Go's default rule keep-alive: 10 min in 2026 (`DefaultRouteKeepAlive`; 30 s in 2024). */
export const DEFAULT_ROUTE_KEEP_ALIVE_MS = 10 * 60_000;

/** Largest route id (uint32). Route id 0 means "no route" (transport-level packets). */
export const MAX_ROUTE_ID = 0xffff_ffff;
