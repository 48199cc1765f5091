/**
 * Encoders and decoders for the packet payloads that have structure. Decoders read the fields
 * they need and ignore trailing bytes (a newer peer may append fields, as 2026 did to the
 * Handshake); a payload too short for its fields throws {@linkcode MalformedPayloadError}.
 * 64-bit fields are unsigned `bigint`s (Go writes its int64s as uint64).
 */
import { PACKET_HEADER_SIZE, SACK_MAX_WORDS, TRANSPORT_BW_PROBE_SIZE } from "./constants.ts";
import { MalformedPayloadError } from "./errors.ts";
import { assertUint, toUint64, viewOf } from "./_fields.ts";

function need(payload: Uint8Array, size: number, what: string): void {
  if (payload.length < size) {
    throw new MalformedPayloadError(`${what} payload is ${payload.length} bytes, want >= ${size}`);
  }
}

/** Close payload: the close code byte (`CloseCode`). */
export function encodeClosePayload(code: number): Uint8Array {
  assertUint(code, 0xff, "close code");
  return Uint8Array.of(code);
}

/** The close code of a Close payload (Go reads byte 0 only). */
export function decodeClosePayload(payload: Uint8Array): number {
  need(payload, 1, "Close");
  return payload[0];
}

/** Fields of a Handshake payload. */
export interface Handshake {
  /** Whether the sender can wrap the route group in Noise (byte 0 non-zero). */
  encrypt: boolean;
  /** `Capability` bits (2026); 0 from a peer that sent the 1-byte 2024 form. */
  capabilities: number;
}

/**
 * Handshake payload. With `capabilities` it is the 3-byte 2026 form `flag ‖ caps uint16 LE`
 * (2024 visors read only byte 0, so it is safe to send to them); without, the 1-byte 2024 form.
 */
export function encodeHandshakePayload(
  options: { encrypt: boolean; capabilities?: number },
): Uint8Array {
  const flag = options.encrypt ? 1 : 0;
  if (options.capabilities === undefined) return Uint8Array.of(flag);
  assertUint(options.capabilities, 0xffff, "capabilities");
  return Uint8Array.of(flag, options.capabilities & 0xff, options.capabilities >>> 8);
}

/** Decode a Handshake payload: 1 byte (2024) or flag plus LE capabilities (2026). */
export function decodeHandshakePayload(payload: Uint8Array): Handshake {
  need(payload, 1, "Handshake");
  // Like Go 2026, capabilities count only when both bytes are present.
  const capabilities = payload.length >= 3 ? payload[1] | (payload[2] << 8) : 0;
  return { encrypt: payload[0] !== 0, capabilities };
}

/** Fields of a Ping payload. */
export interface Ping {
  /** Sender's clock; Go 2024 route groups send Unix milliseconds. */
  timestamp: bigint;
  /** Sender's measured throughput of the remote (Go `RemoteThroughput`). */
  throughput: bigint;
}

/** Ping payload: timestamp uint64 BE ‖ throughput uint64 BE (16 bytes). */
export function encodePingPayload(ping: Ping): Uint8Array {
  const out = new Uint8Array(16);
  const view = viewOf(out);
  view.setBigUint64(0, toUint64(ping.timestamp, "ping timestamp"));
  view.setBigUint64(8, toUint64(ping.throughput, "ping throughput"));
  return out;
}

/** Decode a Ping payload (16 bytes; Go reads both words). */
export function decodePingPayload(payload: Uint8Array): Ping {
  need(payload, 16, "Ping");
  const view = viewOf(payload);
  return { timestamp: view.getBigUint64(0), throughput: view.getBigUint64(8) };
}

/** Fields of a Pong payload. */
export interface Pong {
  /** The Ping's timestamp, echoed. */
  timestamp: bigint;
  /** The second word: Go allocates 16 bytes and leaves it zero; 0 when absent. */
  extra: bigint;
}

/** Pong payload: echoed timestamp uint64 BE ‖ extra uint64 BE (16 bytes, as Go sends). */
export function encodePongPayload(pong: { timestamp: bigint; extra?: bigint }): Uint8Array {
  const out = new Uint8Array(16);
  const view = viewOf(out);
  view.setBigUint64(0, toUint64(pong.timestamp, "pong timestamp"));
  view.setBigUint64(8, toUint64(pong.extra ?? 0n, "pong extra"));
  return out;
}

/** Decode a Pong payload (Go reads only the first 8 bytes). */
export function decodePongPayload(payload: Uint8Array): Pong {
  need(payload, 8, "Pong");
  const view = viewOf(payload);
  return {
    timestamp: view.getBigUint64(0),
    extra: payload.length >= 16 ? view.getBigUint64(8) : 0n,
  };
}

/** TransportPing/TransportPong payload: a Unix-nanosecond timestamp uint64 BE (8 bytes). */
export function encodeTransportPingPayload(timestamp: bigint): Uint8Array {
  const out = new Uint8Array(8);
  viewOf(out).setBigUint64(0, toUint64(timestamp, "transport ping timestamp"));
  return out;
}

/** The timestamp of a TransportPing/TransportPong payload. */
export function decodeTransportPingPayload(payload: Uint8Array): bigint {
  need(payload, 8, "TransportPing");
  return viewOf(payload).getBigUint64(0);
}

/** Fields of a SACK payload. */
export interface Sack {
  /** Highest sequence received with nothing missing below it. */
  lastContiguousSeq: number;
  /** Bitmap words: bit i of word w acks sequence `lastContiguousSeq + 1 + 64w + i`. */
  words: bigint[];
}

/**
 * SACK payload: lastContiguousSeq uint32 BE ‖ nWords(1) ‖ words (uint64 BE each). Trailing
 * all-zero words are dropped, as Go does; more than 32 words is an error here (Go truncates).
 */
export function encodeSackPayload(sack: Sack): Uint8Array {
  assertUint(sack.lastContiguousSeq, 0xffff_ffff, "SACK lastContiguousSeq");
  let n = sack.words.length;
  if (n > SACK_MAX_WORDS) {
    throw new MalformedPayloadError(`SACK has ${n} words, at most ${SACK_MAX_WORDS} allowed`);
  }
  while (n > 0 && sack.words[n - 1] === 0n) n--;
  const out = new Uint8Array(5 + 8 * n);
  const view = viewOf(out);
  view.setUint32(0, sack.lastContiguousSeq);
  out[4] = n;
  for (let w = 0; w < n; w++) view.setBigUint64(5 + 8 * w, toUint64(sack.words[w], "SACK word"));
  return out;
}

/** Decode a SACK payload; a word count over 32 or past the end is malformed. */
export function decodeSackPayload(payload: Uint8Array): Sack {
  need(payload, 5, "SACK");
  const n = payload[4];
  if (n > SACK_MAX_WORDS) {
    throw new MalformedPayloadError(`SACK has ${n} words, at most ${SACK_MAX_WORDS} allowed`);
  }
  need(payload, 5 + 8 * n, "SACK");
  const view = viewOf(payload);
  const words = new Array<bigint>(n);
  for (let w = 0; w < n; w++) words[w] = view.getBigUint64(5 + 8 * w);
  return { lastContiguousSeq: view.getUint32(0), words };
}

/** Fields of a TransportBwProbe payload's meaningful prefix. */
export interface BwProbe {
  /** Which probe train this packet belongs to. */
  probeId: number;
  /** Index of this packet in the train. */
  seq: number;
  /** Number of packets in the train. */
  total: number;
}

/** TransportBwProbe payload: probeID(4) ‖ seq(2) ‖ total(2), zero-padded to a 1400-byte packet. */
export function encodeBwProbePayload(probe: BwProbe): Uint8Array {
  assertUint(probe.probeId, 0xffff_ffff, "probe id");
  assertUint(probe.seq, 0xffff, "probe seq");
  assertUint(probe.total, 0xffff, "probe total");
  const out = new Uint8Array(TRANSPORT_BW_PROBE_SIZE - PACKET_HEADER_SIZE);
  const view = viewOf(out);
  view.setUint32(0, probe.probeId);
  view.setUint16(4, probe.seq);
  view.setUint16(6, probe.total);
  return out;
}

/** Decode the 8-byte prefix of a TransportBwProbe payload (the rest is padding). */
export function decodeBwProbePayload(payload: Uint8Array): BwProbe {
  need(payload, 8, "TransportBwProbe");
  const view = viewOf(payload);
  return { probeId: view.getUint32(0), seq: view.getUint16(4), total: view.getUint16(6) };
}

/** Fields of a TransportBwAck payload. */
export interface BwAck {
  /** The probe train being answered. */
  probeId: number;
  /** Receiver's bandwidth estimate in bits per second. */
  estBps: bigint;
}

/** TransportBwAck payload: probeID(4) ‖ estBps uint64 BE (12 bytes). */
export function encodeBwAckPayload(ack: BwAck): Uint8Array {
  assertUint(ack.probeId, 0xffff_ffff, "probe id");
  const out = new Uint8Array(12);
  const view = viewOf(out);
  view.setUint32(0, ack.probeId);
  view.setBigUint64(4, toUint64(ack.estBps, "estBps"));
  return out;
}

/** Decode a TransportBwAck payload. */
export function decodeBwAckPayload(payload: Uint8Array): BwAck {
  need(payload, 12, "TransportBwAck");
  const view = viewOf(payload);
  return { probeId: view.getUint32(0), estBps: view.getBigUint64(4) };
}
