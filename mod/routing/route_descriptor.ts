import { bytesToHex, CipherError, PubKey } from "../cipher/mod.ts";
import { ROUTE_DESCRIPTOR_SIZE } from "./constants.ts";
import { InvalidRouteDescriptorError } from "./errors.ts";
import { assertUint } from "./_fields.ts";

const PK_SIZE = 33;
const SRC_PORT_OFFSET = 2 * PK_SIZE;
const DST_PORT_OFFSET = SRC_PORT_OFFSET + 2;

/** The four fields of a route descriptor. */
export interface RouteDescriptorInit {
  /** Public key of the route's source visor. */
  srcPk: PubKey;
  /** Public key of the route's destination visor. */
  dstPk: PubKey;
  /** Source (local app) port, uint16. */
  srcPort: number;
  /** Destination (remote app) port, uint16. */
  dstPort: number;
}

/** Go's `RouteDescriptorFields` JSON (as inside a rule summary). */
export interface RouteDescriptorFields {
  /** Destination public key, hex. */
  dst_pk: string;
  /** Source public key, hex. */
  src_pk: string;
  /** Destination port. */
  dst_port: number;
  /** Source port. */
  src_port: number;
}

/**
 * Which two app endpoints a route joins: `srcPK(33) ‖ dstPK(33) ‖ srcPort(2 BE) ‖ dstPort(2 BE)`,
 * 70 bytes (Go `routing.RouteDescriptor`). It is also the key Go uses to find a route group, see
 * {@linkcode RouteDescriptor.key}.
 *
 * A descriptor wraps its bytes without copying. Go treats the keys as opaque bytes, so any 33
 * bytes are accepted on input; {@linkcode RouteDescriptor.srcPk} checks the key is on the curve
 * when it is asked for, while the hex accessors never throw.
 */
export class RouteDescriptor {
  /** The 70 bytes; do not modify them. */
  readonly bytes: Uint8Array;
  #srcPk?: PubKey;
  #dstPk?: PubKey;
  #key?: string;

  private constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** Wrap exactly 70 bytes (no copy); throws {@linkcode InvalidRouteDescriptorError} otherwise. */
  static fromBytes(bytes: Uint8Array): RouteDescriptor {
    if (bytes.length !== ROUTE_DESCRIPTOR_SIZE) {
      throw new InvalidRouteDescriptorError(
        `route descriptor is ${bytes.length} bytes, want ${ROUTE_DESCRIPTOR_SIZE}`,
      );
    }
    return new RouteDescriptor(bytes);
  }

  /** Build a descriptor from its fields; ports must be uint16. */
  static create(init: RouteDescriptorInit): RouteDescriptor {
    assertUint(init.srcPort, 0xffff, "source port");
    assertUint(init.dstPort, 0xffff, "destination port");
    const bytes = new Uint8Array(ROUTE_DESCRIPTOR_SIZE);
    writeRouteDescriptor(bytes, init);
    const desc = new RouteDescriptor(bytes);
    desc.#srcPk = init.srcPk;
    desc.#dstPk = init.dstPk;
    return desc;
  }

  /** Source public key; throws {@linkcode InvalidRouteDescriptorError} if not on the curve. */
  get srcPk(): PubKey {
    return this.#srcPk ??= toPubKey(this.bytes.subarray(0, PK_SIZE), "source");
  }

  /** Destination public key; throws {@linkcode InvalidRouteDescriptorError} if not on the curve. */
  get dstPk(): PubKey {
    return this.#dstPk ??= toPubKey(this.bytes.subarray(PK_SIZE, 2 * PK_SIZE), "destination");
  }

  /** Source public key bytes as hex (never throws). */
  get srcPkHex(): string {
    return bytesToHex(this.bytes.subarray(0, PK_SIZE));
  }

  /** Destination public key bytes as hex (never throws). */
  get dstPkHex(): string {
    return bytesToHex(this.bytes.subarray(PK_SIZE, 2 * PK_SIZE));
  }

  /** Source port. */
  get srcPort(): number {
    return (this.bytes[SRC_PORT_OFFSET] << 8) | this.bytes[SRC_PORT_OFFSET + 1];
  }

  /** Destination port. */
  get dstPort(): number {
    return (this.bytes[DST_PORT_OFFSET] << 8) | this.bytes[DST_PORT_OFFSET + 1];
  }

  /** The descriptor seen from the other end: source and destination swapped (Go `Invert`). */
  invert(): RouteDescriptor {
    const b = this.bytes;
    const out = new Uint8Array(ROUTE_DESCRIPTOR_SIZE);
    out.set(b.subarray(PK_SIZE, 2 * PK_SIZE), 0);
    out.set(b.subarray(0, PK_SIZE), PK_SIZE);
    out.set(b.subarray(DST_PORT_OFFSET, DST_PORT_OFFSET + 2), SRC_PORT_OFFSET);
    out.set(b.subarray(SRC_PORT_OFFSET, SRC_PORT_OFFSET + 2), DST_PORT_OFFSET);
    return new RouteDescriptor(out);
  }

  /**
   * The 70 bytes as hex: a string key for a `Map` of route groups (Go keys its route groups by
   * the descriptor value itself; there is no separate route group id).
   */
  key(): string {
    return this.#key ??= bytesToHex(this.bytes);
  }

  /** Byte-wise equality. */
  equals(other: RouteDescriptor): boolean {
    return this.key() === other.key();
  }

  /** Go's `RuleSummary` form of the fields. */
  fields(): RouteDescriptorFields {
    return {
      dst_pk: this.dstPkHex,
      src_pk: this.srcPkHex,
      dst_port: this.dstPort,
      src_port: this.srcPort,
    };
  }

  /** Go's display form: `rAddr:<dstPK>:<dstPort>, lAddr:<srcPK>:<srcPort>`. */
  toString(): string {
    return `rAddr:${this.dstPkHex}:${this.dstPort}, lAddr:${this.srcPkHex}:${this.srcPort}`;
  }
}

// Write the 70 descriptor bytes of `init` at the start of `out` (ports already checked).
function writeRouteDescriptor(out: Uint8Array, init: RouteDescriptorInit): void {
  out.set(init.srcPk.view, 0);
  out.set(init.dstPk.view, PK_SIZE);
  out[SRC_PORT_OFFSET] = init.srcPort >>> 8;
  out[SRC_PORT_OFFSET + 1] = init.srcPort;
  out[DST_PORT_OFFSET] = init.dstPort >>> 8;
  out[DST_PORT_OFFSET + 1] = init.dstPort;
}

function toPubKey(bytes: Uint8Array, which: string): PubKey {
  try {
    return PubKey.fromBytes(bytes);
  } catch (error) {
    if (error instanceof CipherError) {
      throw new InvalidRouteDescriptorError(`${which} public key: ${error.message}`);
    }
    throw error;
  }
}
