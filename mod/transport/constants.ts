/** The dmsg/skywire port transports are dialed on and listened on (Go `skyenv.TransportPort`). */
export const TRANSPORT_PORT = 45;

/** Limit for the whole network handshake, `get_nonce` to `OK` (Go `handshake.Timeout`). */
export const NETWORK_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Limit for the Noise KK wrap of a TCP transport (Go `encryptHSTimout`). */
export const ENCRYPT_HANDSHAKE_TIMEOUT_MS = 5_000;

/** Limit for the settlement handshake on either side (Go's 20 s context). */
export const SETTLEMENT_TIMEOUT_MS = 20_000;

/** Size of the responder's handshake nonce (Go `handshake.NonceSize`). */
export const HANDSHAKE_NONCE_SIZE = 16;

/** The initiator's first message: these 9 ASCII bytes, no length, no newline. */
export const GET_NONCE = "get_nonce";

/**
 * Largest JSON line we read during the handshakes (Frame1–3, SignedEntry). Go's lines are under
 * 600 bytes; the cap keeps a peer from making us buffer more than this before we give up.
 */
export const MAX_HANDSHAKE_LINE = 4096;

/** The ephemeral skywire ports a dialer takes its local port from (Go porter `MinEphemeral`). */
export const MIN_EPHEMERAL_PORT = 49152;

/** How often a managed transport sends a TransportPing (Go 2026 `transportPingInterval`). */
export const TRANSPORT_PING_INTERVAL_MS = 30_000;

/**
 * How often the manager re-posts the entries of the transports it holds to the transport
 * discovery (Go visors: every 90 s). The discovery drops entries not re-posted within its
 * entry timeout (ours: 5 min), so this must stay well inside it: 90 s leaves three tries.
 */
export const TRANSPORT_HEARTBEAT_INTERVAL_MS = 90_000;

/**
 * How often a visor repeats its stcpr binding at the address resolver (our value; Go binds once
 * and keeps a UDP heartbeat for sudph only). Our resolver drops bindings after 5 min: two tries.
 */
export const STCPR_BIND_REFRESH_MS = 120_000;

/**
 * Each refresh period (transport heartbeat, stcpr bind) is drawn from ±this share of its
 * nominal value, so visors started together (a reboot of a whole site) do not refresh in step.
 */
export const REFRESH_JITTER = 0.1;

/** Transport types (Go `network.Type`). `sudph` is recognised but not implemented here. */
export const TransportType = {
  /** A dmsg stream to the peer's port 45. */
  dmsg: "dmsg",
  /** TCP to an address from a static PK table. */
  stcp: "stcp",
  /** TCP to an address from the address resolver. */
  stcpr: "stcpr",
  /** KCP over UDP, hole-punched through the address resolver (not implemented). */
  sudph: "sudph",
} as const;

/** Labels a transport entry carries (Go `transport.Label`); free text on the wire. */
export const TransportLabel = {
  /** Made on a user's request (the only label Go's settlement builds). */
  user: "user",
  /** Made by public autoconnect. */
  automatic: "automatic",
  /** Made by Skycoin's network-resilience tooling. */
  skycoin: "skycoin",
} as const;

/** The one-byte answer that ends a settlement handshake (Go `hsResponse`). */
export const SettlementResult = {
  /** Rejected (Go defines it but never sends it). */
  failure: 0,
  /** Accepted and countersigned. */
  ok: 1,
  /** The responder could not countersign. */
  signatureError: 2,
  /** The entry did not match or its signature did not verify. */
  invalidEntry: 3,
} as const;
